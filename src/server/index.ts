export { buildServer } from './build-server.js'
export type { RateLimitOptions, ServerOptions, UnderPressureOptions } from './build-server.js'
export { resolveServerOptions, SERVER_DEFAULTS, ServerOptionsSchema } from './server-options.js'
export type { ServerPaths } from './server-options.js'
