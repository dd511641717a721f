export { HttpAdapter } from './http-adapter.js'
// The options and the parts a table declaration is written in.
export type { HttpAdapterOptions, HttpField, HttpFilterParam, HttpTable, Pagination } from './http-options.js'
