import { SqlAdapter } from '../sql/sql-adapter.js'
import type { SqlAdapterOptions } from '../sql/sql-options.js'
import { mysqlEngine } from './mysql-engine.js'

/** Options of the MySQL / MariaDB adapter: the shared SQL adapter's (`SqlAdapterOptions` of `b24bi/sql`). */
export type MysqlAdapterOptions = SqlAdapterOptions

/**
 * Serves MySQL or MariaDB tables, views and curated queries to the portal. Tables of the connection's database
 * are listed by bare name; other databases only when `exposure.schemas.allow` names them.
 *
 * @example
 * new MysqlAdapter({ url: 'mysql://reader:secret@db.example.com:3306/shop', token: process.env.CONNECTOR_TOKEN })
 */
export class MysqlAdapter extends SqlAdapter {
  constructor (options: MysqlAdapterOptions) {
    super(mysqlEngine, options)
  }
}
