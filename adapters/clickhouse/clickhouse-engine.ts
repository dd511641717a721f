import { sql } from 'kysely'
import { loadDriver } from '../../src/adapter-kit/index.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import { utcWall, type SqlEngineDefinition } from '../sql/sql-engine.js'
import { isClickhouseAuthError, isClickhouseBusy, isClickhouseTimeout } from './clickhouse-errors.js'
import { clickhouseBuilder } from './clickhouse-literal.js'
import { CLICKHOUSE_TYPES } from './clickhouse-types.js'

/**
 * ClickHouse for the shared SQL adapter (`@clickhouse/client`, HTTP). Works with ClickHouse 18: LIKE without ESCAPE
 * (backslash is its escape), decimals compared as doubles (18's Decimal is experimental), `toDate` / `toDateTime`.
 */
export const clickhouseEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  name: 'clickhouse',
  builder: clickhouseBuilder,
  types: CLICKHOUSE_TYPES,
  scopeToDefaultSchema: true,
  systemSchemas: ['system'],
  defaultPort: 8123,
  castColumn: (column, as) => as === 'int' ? sql`toInt64(${column})` : as === 'text' ? sql`toString(${column})` : column,
  readColumn: (column, read) => read === 'utc' ? sql`toString(${column}, 'UTC')` : sql`toString(${column})`,
  like: (column, pattern) => sql`${column} LIKE ${pattern}`,
  contains: (column, needle) => sql`position(lowerUTF8(${column}), ${needle}) > 0`,
  decimal: (value) => sql.val(Number(value)),
  date: (value) => sql`toDate(${value})`,
  dateTime: (value, zoned) => zoned ? sql`toDateTime(${utcWall(value.instant)}, 'UTC')` : sql`toDateTime(${value.wall})`,
  // Every value is inlined (clickhouseLiteral): the statement runs as it is, its rows in TabSeparated text.
  textExport: (statement) => statement.parameters.length === 0 ? { statement: { sql: `${statement.sql}\nFORMAT TabSeparated`, parameters: [] } } : undefined,
  connect: (target, options) => lazyDriver(async () => {
    const { ClickHouseDriver } = await loadDriver('@clickhouse/client', async () => await import('./clickhouse-driver.js'))
    return new ClickHouseDriver(target, options)
  }),
  isAuthError: isClickhouseAuthError,
  isTimeout: isClickhouseTimeout,
  isBusy: isClickhouseBusy
})
