import { SqlAdapter } from '../sql/sql-adapter.js'
import type { SqlAdapterOptions } from '../sql/sql-options.js'
import { clickhouseEngine } from './clickhouse-engine.js'

/** Options of the ClickHouse adapter: the shared SQL adapter's (`SqlAdapterOptions` of `b24bi/sql`). */
export type ClickHouseAdapterOptions = SqlAdapterOptions

/**
 * Serves ClickHouse tables, views and curated queries to the portal (HTTP interface, port 8123).
 * The URL's path names the database: `http://reader:secret@ch.example.com:8123/analytics`.
 *
 * @example
 * new ClickHouseAdapter({ url: 'http://default@127.0.0.1:8123/default', token: process.env.CONNECTOR_TOKEN })
 */
export class ClickHouseAdapter extends SqlAdapter {
  constructor (options: ClickHouseAdapterOptions) {
    super(clickhouseEngine, options)
  }
}
