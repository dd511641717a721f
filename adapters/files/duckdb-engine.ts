import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type Kysely } from 'kysely'
import { compileOnlyBuilder, type SqlFilterSyntax } from '../sql/sql-engine.js'

/** A compile-only Kysely for DuckDB: PostgreSQL's syntax and `$1` placeholders. */
export const duckdbBuilder: Kysely<any> = compileOnlyBuilder({
  createAdapter: () => new PostgresAdapter(),
  createIntrospector: (db) => new PostgresIntrospector(db),
  createQueryCompiler: () => new PostgresQueryCompiler()
})

/**
 * How DuckDB writes filters: standard SQL (it compares text by code point, its LIKE is case-sensitive), but a double
 * is bound as text and cast: DuckDB binds an integral JS number as BIGINT, which fails at 2^63 and beyond.
 */
export const duckdbFilterSyntax: SqlFilterSyntax = Object.freeze<SqlFilterSyntax>({
  double: (value) => sql`CAST(${String(value)} AS DOUBLE)`
})
