export { SqliteAdapter, type SqliteAdapterOptions } from './sqlite-adapter.js'
