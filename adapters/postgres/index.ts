export { PostgresAdapter } from './postgres-adapter.js'
export { postgresEngine } from './postgres-engine.js'
export { POSTGRES_TYPES } from './postgres-types.js'
export type { SqlAdapterOptions } from '../sql/sql-options.js'
