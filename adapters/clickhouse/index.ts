export { ClickHouseAdapter, clickhouseEngine } from './clickhouse-adapter.js'
export { CLICKHOUSE_TYPES } from './clickhouse-types.js'
export { clickhouseLiteral } from './clickhouse-literal.js'
export type { SqlAdapterOptions } from '../sql/sql-options.js'
