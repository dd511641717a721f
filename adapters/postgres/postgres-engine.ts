import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely'
import { loadDriver } from '../../src/adapter-kit/index.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import { compileOnlyBuilder, type FilterList, type SqlEngineDefinition } from '../sql/sql-engine.js'
import type { DateTimeValue } from '../../src/core/filter-ast.js'
import { copyStatement } from './postgres-copy.js'
import { isPostgresAuthError, isPostgresBusy, isPostgresTimeout } from './postgres-errors.js'
import { POSTGRES_TYPES } from './postgres-types.js'

/** PostgreSQL for the shared SQL adapter (`pg`, `pg-cursor`, `pg-copy-streams`). Filters are standard SQL but for text order and LIKE. */
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
  // One array parameter whatever the list's length: a statement has at most 65,535 parameters.
  in: (column, _values, list) => sql`${column} = ANY(CAST(${arrayOf(list)} AS ${sql.raw(ARRAY_TYPES[list.zoned ? 'zoned' : list.type])}))`,
  textExport: (statement) => {
    const copy = copyStatement(statement)
    return copy === undefined ? undefined : { statement: { sql: copy, parameters: [] } }
  },
  connect: (target, options) => lazyDriver(async () => {
    const { PostgresDriver } = await loadDriver(['pg', 'pg-cursor', 'pg-copy-streams'], async () => await import('./postgres-driver.js'))
    return new PostgresDriver(target, options)
  }),
  isAuthError: isPostgresAuthError,
  isTimeout: isPostgresTimeout,
  isBusy: isPostgresBusy
})

// What `IN` with one parameter per value compares: an int or money value of any length exactly, a double as JS
// prints it (numeric: a numeric column compares it exactly, a float8 column casts it to float8).
const ARRAY_TYPES = {
  int: 'numeric[]',
  money: 'numeric[]',
  double: 'numeric[]',
  string: 'text[]',
  timezone: 'text[]',
  date: 'date[]',
  datetime: 'timestamp[]',
  zoned: 'timestamptz[]'
} as const

function arrayOf (list: FilterList): string[] {
  if (list.type === 'double') return list.values.map((value) => String(Number(value)))
  if (list.type !== 'datetime') return list.values as string[]
  return (list.values as DateTimeValue[]).map((value) => list.zoned ? value.instant.toISOString() : value.wall)
}
