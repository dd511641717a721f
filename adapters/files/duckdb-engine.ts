import { sql } from 'kysely'
import { loadDriver } from '../../src/adapter-kit/index.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import type { SqlEngineDefinition, SqlFilterSyntax } from '../sql/sql-engine.js'
import { duckdbTextExport } from './duckdb-text.js'
import { duckdbBuilder, DUCKDB_TYPES, type DuckDbFolder } from './duckdb-types.js'

/**
 * How DuckDB writes filters: standard SQL (it compares text by code point, its LIKE is case-sensitive), but a double
 * is bound as text and cast: DuckDB binds an integral JS number as BIGINT, which fails at 2^63 and beyond.
 */
export const duckdbFilterSyntax: SqlFilterSyntax = Object.freeze<SqlFilterSyntax>({
  double: (value) => sql`CAST(${String(value)} AS DOUBLE)`
})

/**
 * In-process DuckDB over a folder of files, for the shared SQL adapter: each file is a view (see `DuckDbDriver`),
 * read with PostgreSQL's syntax. Instants travel as UTC wall times (`epoch_us` does not depend on DuckDB's time
 * zone setting), exact decimals, dates and naive timestamps as text.
 *
 * @example
 * class FilesAdapter extends SqlAdapter {
 *   constructor (options) { super(duckdbEngine({ directory: options.directory, threads: 2, ... }), { url, ... }) }
 * }
 */
export function duckdbEngine (folder: DuckDbFolder): SqlEngineDefinition {
  return Object.freeze<SqlEngineDefinition>({
    ...duckdbFilterSyntax,
    name: 'duckdb',
    builder: duckdbBuilder,
    types: DUCKDB_TYPES,
    scopeToDefaultSchema: true,
    systemSchemas: [],
    defaultPort: 0,
    // Any non-empty token: the demo's is `demo`.
    minTokenLength: 1,
    castColumn: (column, as) => sql`CAST(${column} AS ${sql.raw(as === 'int' ? 'BIGINT' : as === 'text' ? 'VARCHAR' : 'DECIMAL(38, 10)')})`,
    readColumn: (column, read) => read === 'text' ? sql`CAST(${column} AS VARCHAR)` : sql`CAST(make_timestamp(epoch_us(${column})) AS VARCHAR)`,
    textExport: duckdbTextExport,
    connect: () => lazyDriver(async () => {
      const { DuckDbDriver } = await loadDriver('@duckdb/node-api', async () => await import('./duckdb-driver.js'))
      return new DuckDbDriver(folder)
    }),
    isAuthError: () => false,
    // The driver answers a passed statement timeout with B24BI_ERR_QUERY_TIMEOUT itself.
    isTimeout: () => false
  })
}
