export { HttpAdapter } from './http-adapter.js'
export { HTTP_DEFAULTS } from './http-options.js'
export type { HttpAdapterOptions, HttpField, HttpFilterParam, HttpTable, Pagination } from './http-options.js'
export { retryAfterMs } from './http-client.js'
