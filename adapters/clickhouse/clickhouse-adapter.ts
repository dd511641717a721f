import { sql } from 'kysely'
import { SqlAdapter } from '../sql/sql-adapter.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import { loadDriver } from '../../src/driver-load.js'
import type { SqlEngineDefinition } from '../sql/sql-driver.js'
import type { SqlAdapterOptions } from '../sql/sql-options.js'
import { isClickhouseAuthError, isClickhouseBusy, isClickhouseTimeout } from './clickhouse-errors.js'
import { clickhouseBuilder } from './clickhouse-literal.js'
import { CLICKHOUSE_TYPES } from './clickhouse-types.js'

/** ClickHouse for the shared SQL adapter (`@clickhouse/client`, HTTP). */
export const clickhouseEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  engine: 'clickhouse',
  builder: clickhouseBuilder,
  types: CLICKHOUSE_TYPES,
  scopeToDefaultSchema: true,
  systemSchemas: ['system'],
  defaultPort: 8123,
  castColumn: (column, as) => as === 'int' ? sql`toInt64(${column})` : as === 'text' ? sql`toString(${column})` : column,
  readColumn: (column, read) => read === 'utc' ? sql`toString(${column}, 'UTC')` : sql`toString(${column})`,
  connect: (target, options) => lazyDriver(async () => {
    const { ClickHouseDriver } = await loadDriver('@clickhouse/client', async () => await import('./clickhouse-driver.js'))
    return new ClickHouseDriver(target, options)
  }),
  isAuthError: isClickhouseAuthError,
  isTimeout: isClickhouseTimeout,
  isBusy: isClickhouseBusy
})

/**
 * Serves ClickHouse tables, views and curated queries to the portal (HTTP interface, port 8123).
 * The URL's path names the database: `http://reader:secret@ch.example.com:8123/analytics`.
 *
 * @example
 * new ClickHouseAdapter({ url: 'http://default@127.0.0.1:8123/default', token: process.env.CONNECTOR_TOKEN })
 */
export class ClickHouseAdapter extends SqlAdapter {
  constructor (options: SqlAdapterOptions) {
    super(clickhouseEngine, options)
  }
}
