export { PostgresAdapter, postgresEngine } from './postgres-adapter.js'
export { POSTGRES_TYPES } from './postgres-types.js'
export type { SqlAdapterOptions } from '../sql/sql-options.js'
