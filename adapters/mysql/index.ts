export { MysqlAdapter } from './mysql-adapter.js'
export { mysqlEngine } from './mysql-engine.js'
export { MYSQL_TYPES } from './mysql-types.js'
export type { SqlAdapterOptions } from '../sql/sql-options.js'
