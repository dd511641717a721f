export { MysqlAdapter, type MysqlAdapterOptions } from './mysql-adapter.js'
