import Database from 'better-sqlite3'
import { SqliteAdapter as KyselySqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely'
import { compileOnlyBuilder, type SqlDriver, type SqlEngineDefinition, type SqlStatement, type SqlStreamOptions, type SqlTypeRule } from '../../../adapters/sql/index.js'
import type { DateTimeValue } from '../../../src/core/filter-ast.js'
import { likeMatcher } from '../../../src/filter/like.js'

// A toy engine written as an outside author would, from `b24bi/sql` alone: an SQLite file under another name with
// its own quoting (backticks, named `:pN` parameters), its own date rules (SQLite's date()/datetime() functions
// instead of bound text) and its own LIKE and lower-casing (functions its driver registers). Nothing in
// adapters/sql knows it exists.

/** Backticks around identifiers and `:p1, :p2, …` parameters, where Kysely's SQLite compiler writes `"x"` and `?`. */
class ToyQueryCompiler extends SqliteQueryCompiler {
  protected override getLeftIdentifierWrapper (): string { return '`' }
  protected override getRightIdentifierWrapper (): string { return '`' }
  protected override sanitizeIdentifier (identifier: string): string { return identifier.replaceAll('`', '``') }
  protected override getCurrentParameterPlaceholder (): string { return `:p${this.numParameters}` }
}

/** The toy's type names (SQLite's declared types) to portal types. */
const TOY_TYPES: readonly SqlTypeRule[] = [
  [/^date$/, { type: 'date' }, 'DATE'],
  [/^timestamptz$/, { type: 'datetime', zoned: true, read: 'utc' }, 'TIMESTAMPTZ', 'UTC text'],
  [/^(datetime|timestamp)$/, { type: 'datetime' }, 'DATETIME, TIMESTAMP'],
  [/int/, { type: 'int' }, 'INTEGER, BIGINT'],
  [/text/, { type: 'string' }, 'TEXT'],
  [/real/, { type: 'double' }, 'REAL'],
  [/^decimal\b/, { type: 'double', pushdown: false }, 'DECIMAL', 'stored as doubles: the runtime compares them']
]

const CATALOG = `SELECT m.name AS "table", p.name AS "column", p.type AS data_type
FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.cid`

/** Every statement the toy driver ran, for the test to see the toy's own SQL. */
export const TOY_STATEMENTS: SqlStatement[] = []

/** A read-only SQLite handle with the toy's functions: `toy_like` (case-sensitive LIKE), `toy_lower` (JS lower-casing). */
function open (path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  db.function('toy_like', { deterministic: true }, (value: unknown, pattern: unknown) =>
    typeof value === 'string' && typeof pattern === 'string' ? (likeMatcher(pattern)(value) ? 1 : 0) : null)
  db.function('toy_lower', { deterministic: true }, (value: unknown) => typeof value === 'string' ? value.toLowerCase() : value)
  return db
}

/** The toy's driver: one handle, rows in batches, named parameters. */
class ToyDriver implements SqlDriver {
  readonly #db: Database.Database

  constructor (path: string) {
    this.#db = open(path)
  }

  async introspect (): ReturnType<SqlDriver['introspect']> {
    const rows = this.#db.prepare(CATALOG).all() as Array<{ table: string, column: string, data_type: string | null }>
    return { defaultSchema: 'main', columns: rows.map((row) => ({ schema: 'main', table: row.table, column: row.column, dataType: row.data_type ?? '' })) }
  }

  async describeQuery (text: string): ReturnType<SqlDriver['describeQuery']> {
    return this.#db.prepare(text).columns().map((column) => ({ column: column.name, dataType: column.type ?? '' }))
  }

  async * stream (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<unknown[][]> {
    TOY_STATEMENTS.push(statement)
    const named = Object.fromEntries(statement.parameters.map((value, index) => [`p${index + 1}`, value]))
    const rows = this.#db.prepare(statement.sql).raw(true).safeIntegers(true).iterate(named) as IterableIterator<unknown[]>
    let batch: unknown[][] = []
    for (const row of rows) {
      batch.push(row)
      if (batch.length < options.batchSize) continue
      yield batch
      batch = []
    }
    if (batch.length > 0) yield batch
  }

  async ping (): Promise<void> {
    this.#db.prepare('SELECT 1').get()
  }

  async close (): Promise<void> {
    this.#db.close()
  }
}

/** The toy engine: server mode over an SQLite file (`url` is its path). */
export const toyEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  name: 'toy',
  builder: compileOnlyBuilder({
    createAdapter: () => new KyselySqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new ToyQueryCompiler()
  }),
  types: TOY_TYPES,
  scopeToDefaultSchema: true,
  systemSchemas: [],
  defaultPort: 0,
  castColumn: (column, as) => as === 'int' ? sql`CAST(${column} AS INTEGER)` : sql`CAST(${column} AS TEXT)`,
  readColumn: (column) => sql`CAST(${column} AS TEXT)`,
  like: (column, pattern) => sql`toy_like(${column}, ${pattern}) = 1`,
  contains: (column, needle) => sql`instr(toy_lower(${column}), ${needle}) > 0`,
  decimal: (value) => sql.val(Number(value)),
  // SQLite's own date functions normalise both sides' spelling: `date('2025-05-31')`, `datetime('…T15:01:55.000Z')`.
  date: (value) => sql`date(${value})`,
  dateTime: (value, zoned) => zoned ? sql`datetime(${value.instant.toISOString()})` : sql`datetime(${value.wall})`,
  // SQLite takes at most 32,766 parameters: a list of any length is one JSON parameter, its items spelled as above.
  in: (column, _values, list) => {
    const item = list.type === 'date' ? sql`date(value)` : list.type === 'datetime' ? sql`datetime(value)` : sql`value`
    const items = list.values.map((value) => {
      if (list.type === 'int') return value as string // canonical digits are a JSON number
      if (list.type === 'double' || list.type === 'money') return JSON.stringify(Number(value))
      if (list.type === 'datetime') return JSON.stringify(list.zoned ? (value as DateTimeValue).instant.toISOString() : (value as DateTimeValue).wall)
      return JSON.stringify(value)
    })
    return sql`${column} IN (SELECT ${item} FROM json_each(${`[${items.join(',')}]`}))`
  },
  connect: (target) => new ToyDriver(target.url ?? ''),
  isAuthError: () => false,
  isTimeout: () => false
})
