import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely'
import { loadDriver } from '../../src/driver-load.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import { compileOnlyBuilder, type SqlEngineDefinition } from '../sql/sql-engine.js'
import { isPostgresAuthError, isPostgresBusy, isPostgresTimeout } from './postgres-errors.js'
import { POSTGRES_TYPES } from './postgres-types.js'

/** PostgreSQL for the shared SQL adapter (`pg` + `pg-cursor`). Filters are standard SQL but for text order and LIKE. */
export const postgresEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  name: 'postgres',
  builder: compileOnlyBuilder({
    createAdapter: () => new PostgresAdapter(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler()
  }),
  types: POSTGRES_TYPES,
  scopeToDefaultSchema: false,
  systemSchemas: ['pg_catalog', 'information_schema'],
  defaultPort: 5432,
  castColumn: (column, as) => {
    if (as === 'int') return sql`CAST(${column} AS integer)`
    return as === 'decimal' ? sql`CAST(${column} AS numeric)` : sql`CAST(${column} AS text)`
  },
  readColumn: (column) => sql`CAST(${column} AS text)`,
  // Text is ordered by the database locale: "C" orders by code point, as the evaluator does.
  textOrder: (column) => sql`${column} COLLATE "C"`,
  like: (column, pattern) => sql`${column} COLLATE "C" LIKE ${pattern} ESCAPE '\\'`,
  connect: (target, options) => lazyDriver(async () => {
    const { PostgresDriver } = await loadDriver(['pg', 'pg-cursor'], async () => await import('./postgres-driver.js'))
    return new PostgresDriver(target, options)
  }),
  isAuthError: isPostgresAuthError,
  isTimeout: isPostgresTimeout,
  isBusy: isPostgresBusy
})
