export { buildServer } from './build-server.js'
export type { RateLimitOptions, ServerOptions, UnderPressureOptions } from './build-server.js'
