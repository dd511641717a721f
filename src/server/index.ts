export { buildServer } from './build-server.js'
export type { RateLimitOptions, ServerOptions, UnderPressureOptions } from './build-server.js'
export { resolveServerOptions, ServerOptionsSchema } from './server-options.js'
export type { ServerPaths } from './server-options.js'
