import {
  DummyDriver, Kysely,
  MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler,
  PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type Dialect
} from 'kysely'

/** The SQL engines the shared SQL layer compiles for. */
export type SqlEngine = 'duckdb' | 'postgres' | 'mysql' | 'sqlite' | 'clickhouse'

/** Every engine, for tests that loop over them. */
export const SQL_ENGINES: readonly SqlEngine[] = ['duckdb', 'postgres', 'mysql', 'sqlite', 'clickhouse']

// DuckDB speaks PostgreSQL's syntax and `$1` placeholders; ClickHouse takes MySQL's backticks and `?`.
const FAMILY: Record<SqlEngine, 'postgres' | 'mysql' | 'sqlite'> = {
  duckdb: 'postgres', postgres: 'postgres', mysql: 'mysql', sqlite: 'sqlite', clickhouse: 'mysql'
}

function compileOnlyDialect (engine: SqlEngine): Dialect {
  const family = FAMILY[engine]
  return {
    createDriver: () => new DummyDriver(),
    createAdapter: () => family === 'postgres' ? new PostgresAdapter() : family === 'mysql' ? new MysqlAdapter() : new SqliteAdapter(),
    createIntrospector: (db) => family === 'postgres' ? new PostgresIntrospector(db) : family === 'mysql' ? new MysqlIntrospector(db) : new SqliteIntrospector(db),
    createQueryCompiler: () => family === 'postgres' ? new PostgresQueryCompiler() : family === 'mysql' ? new MysqlQueryCompiler() : new SqliteQueryCompiler()
  }
}

const builders = new Map<SqlEngine, Kysely<any>>()

/**
 * A compile-only Kysely for an engine: build a query, call `.compile()`, run `{ sql, parameters }` with the
 * engine's own driver. It never connects (executing through it returns no rows).
 *
 * @example
 * const { sql, parameters } = queryBuilder('duckdb').selectFrom('deals').selectAll().where(where).compile()
 */
export function queryBuilder (engine: SqlEngine): Kysely<any> {
  let builder = builders.get(engine)
  if (builder === undefined) {
    builder = new Kysely<any>({ dialect: compileOnlyDialect(engine) })
    builders.set(engine, builder)
  }
  return builder
}

/**
 * SQLite's built-in `lower()` folds ASCII only. A SQLite adapter registers this as `lower` so that `%FIELD`
 * (contains, case-insensitive) folds like the in-memory evaluator (JS `toLowerCase`):
 *
 * @example
 * db.function('lower', { deterministic: true }, sqliteLower)
 */
export function sqliteLower (value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value
}
