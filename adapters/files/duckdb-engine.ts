import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Kysely } from 'kysely'
import { compileOnlyBuilder, type SqlFilterSyntax } from '../sql/sql-engine.js'

/** A compile-only Kysely for DuckDB: PostgreSQL's syntax and `$1` placeholders. */
export const duckdbBuilder: Kysely<any> = compileOnlyBuilder({
  createAdapter: () => new PostgresAdapter(),
  createIntrospector: (db) => new PostgresIntrospector(db),
  createQueryCompiler: () => new PostgresQueryCompiler()
})

/** How DuckDB writes filters: standard SQL throughout (it compares text by code point, its LIKE is case-sensitive). */
export const duckdbFilterSyntax: SqlFilterSyntax = Object.freeze<SqlFilterSyntax>({})
