export { SqliteAdapter, sqliteEngine, type SqliteAdapterOptions } from './sqlite-adapter.js'
export { SQLITE_TYPES } from './sqlite-types.js'
