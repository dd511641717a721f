import { SqlAdapter } from '../sql/sql-adapter.js'
import type { SqlAdapterOptions } from '../sql/sql-options.js'
import { postgresEngine } from './postgres-engine.js'

/** Options of the PostgreSQL adapter: the shared SQL adapter's (`SqlAdapterOptions` of `b24bi/sql`). */
export type PostgresAdapterOptions = SqlAdapterOptions

/**
 * Serves PostgreSQL tables, views and curated queries to the portal.
 *
 * @example
 * new PostgresAdapter({ url: 'postgres://reader@db.example.com/sales', token: process.env.CONNECTOR_TOKEN })
 */
export class PostgresAdapter extends SqlAdapter {
  constructor (options: PostgresAdapterOptions) {
    super(postgresEngine, options)
  }
}
