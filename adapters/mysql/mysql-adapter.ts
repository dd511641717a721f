import { sql } from 'kysely'
import { SqlAdapter } from '../sql/sql-adapter.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import { loadDriver } from '../../src/driver-load.js'
import { queryBuilder } from '../sql/sql-dialect.js'
import type { SqlEngineDefinition } from '../sql/sql-driver.js'
import type { SqlAdapterOptions } from '../sql/sql-options.js'
import { isMysqlAuthError, isMysqlBusy, isMysqlTimeout } from './mysql-errors.js'
import { MYSQL_TYPES } from './mysql-types.js'

/** MySQL and MariaDB for the shared SQL adapter (`mysql2`). */
export const mysqlEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  engine: 'mysql',
  builder: queryBuilder('mysql'),
  types: MYSQL_TYPES,
  scopeToDefaultSchema: true,
  systemSchemas: ['information_schema', 'mysql', 'performance_schema', 'sys'],
  defaultPort: 3306,
  castColumn: (column, as) => as === 'int' ? sql`CAST(${column} AS SIGNED)` : as === 'decimal' ? sql`CAST(${column} AS DECIMAL(65, 30))` : sql`CAST(${column} AS CHAR)`,
  readColumn: (column, read) => read === 'text' ? sql`CAST(${column} AS CHAR)` : column,
  connect: (target, options) => lazyDriver(async () => {
    const { MysqlDriver } = await loadDriver('mysql2', async () => await import('./mysql-driver.js'))
    return new MysqlDriver(target, options)
  }),
  isAuthError: isMysqlAuthError,
  isTimeout: isMysqlTimeout,
  isBusy: isMysqlBusy
})

/**
 * Serves MySQL or MariaDB tables, views and curated queries to the portal. Tables of the connection's database
 * are listed by bare name; other databases only when `exposure.schemas.allow` names them.
 *
 * @example
 * new MysqlAdapter({ url: 'mysql://reader:secret@db.example.com:3306/shop', token: process.env.CONNECTOR_TOKEN })
 */
export class MysqlAdapter extends SqlAdapter {
  constructor (options: SqlAdapterOptions) {
    super(mysqlEngine, options)
  }
}
