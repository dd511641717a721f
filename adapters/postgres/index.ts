export { PostgresAdapter, type PostgresAdapterOptions } from './postgres-adapter.js'
