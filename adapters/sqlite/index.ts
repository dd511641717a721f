export { SqliteAdapter, type SqliteAdapterOptions } from './sqlite-adapter.js'
export { sqliteEngine } from './sqlite-engine.js'
export { SQLITE_TYPES } from './sqlite-types.js'
