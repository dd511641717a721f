import { sql } from 'kysely'
import { ERR_CONFIG_INVALID } from '../../src/errors.js'
import { SqlAdapter } from '../sql/sql-adapter.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import { loadDriver } from '../../src/driver-load.js'
import { queryBuilder } from '../sql/sql-dialect.js'
import type { SqlEngineDefinition } from '../sql/sql-driver.js'
import type { SqlAdapterOptions } from '../sql/sql-options.js'
import { SQLITE_TYPES } from './sqlite-types.js'

/** SQLite for the shared SQL adapter (`better-sqlite3`, read-only). */
export const sqliteEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  engine: 'sqlite',
  builder: queryBuilder('sqlite'),
  types: SQLITE_TYPES,
  scopeToDefaultSchema: true,
  systemSchemas: [],
  defaultPort: 0,
  castColumn: (column, as) => as === 'int' ? sql`CAST(${column} AS INTEGER)` : as === 'text' ? sql`CAST(${column} AS TEXT)` : column,
  readColumn: (column, read) => read === 'text' ? sql`CAST(${column} AS TEXT)` : column,
  connect: (target) => lazyDriver(async () => {
    const { SqliteDriver } = await loadDriver('better-sqlite3', async () => await import('./sqlite-driver.js'))
    return new SqliteDriver(target)
  }),
  isAuthError: () => false,
  isTimeout: () => false
})

/** Options of the SQLite adapter: server mode only, `url` is the database file's path (or a `file:` URL). */
export type SqliteAdapterOptions = Omit<SqlAdapterOptions, 'portal' | 'poolSize'> & { url: string }

/**
 * Serves the tables and views of a SQLite file (opened read-only) to the portal.
 *
 * @example
 * new SqliteAdapter({ url: '/var/lib/app/app.db', token: process.env.CONNECTOR_TOKEN })
 */
export class SqliteAdapter extends SqlAdapter {
  constructor (options: SqliteAdapterOptions) {
    if ((options as SqlAdapterOptions).portal !== undefined) throw new ERR_CONFIG_INVALID('portal', 'SQLite is a local file: only server mode (url + token) is possible')
    super(sqliteEngine, options)
  }
}
