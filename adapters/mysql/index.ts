export { MysqlAdapter, mysqlEngine } from './mysql-adapter.js'
export { MYSQL_TYPES } from './mysql-types.js'
export type { SqlAdapterOptions } from '../sql/sql-options.js'
