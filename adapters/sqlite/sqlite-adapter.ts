import { ERR_CONFIG_INVALID } from '../../src/core/errors.js'
import { SqlAdapter } from '../sql/sql-adapter.js'
import type { SqlAdapterOptions } from '../sql/sql-options.js'
import { sqliteEngine } from './sqlite-engine.js'

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
