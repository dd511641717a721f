export { ClickHouseAdapter, type ClickHouseAdapterOptions } from './clickhouse-adapter.js'
