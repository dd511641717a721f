import { DummyDriver, Kysely, sql, type Dialect, type RawBuilder } from 'kysely'
import { ERR_CONFIG_INVALID } from '../../src/core/errors.js'
import type { FieldType } from '../../src/core/field-types.js'
import type { DateTimeValue, FilterValue } from '../../src/core/filter-ast.js'
import type { SqlDriver, SqlStatement, SqlTarget } from './sql-driver.js'
import type { SqlTypeReading, SqlTypeRule } from './sql-types.js'

/** A piece of SQL: a column reference, an expression or a bound value. */
export type SqlFragment = RawBuilder<unknown>

/** The widest exact decimal the filter compiles (digits in all); a longer value is compared as a double. */
export const MAX_DECIMAL_DIGITS = 38

/**
 * How an engine writes the parts of a pushed-down filter that differ between engines. Every method is optional:
 * the default is standard SQL, which PostgreSQL and DuckDB run. Each must compare as the in-memory evaluator does:
 * text by code point (case- and accent-sensitive, trailing spaces significant), LIKE case-sensitive, contains
 * folding case like JS `toLowerCase`.
 */
export interface SqlFilterSyntax {
  /**
   * A text column as `=` and `IN` compare it with a text value. Default: the column as is.
   *
   * @example
   * textEquality: (column) => sql`CAST(CONVERT(${column} USING utf8mb4) AS BINARY)` // MySQL: bytes, not its collation
   */
  textEquality? (column: SqlFragment): SqlFragment
  /**
   * A text column as `<`, `>` and `BETWEEN` compare it with a text value. Default: `textEquality(column)`.
   *
   * @example
   * textOrder: (column) => sql`${column} COLLATE "C"` // PostgreSQL: code point order whatever the database locale
   */
  textOrder? (column: SqlFragment): SqlFragment
  /**
   * A case-sensitive LIKE; `pattern` uses `%`, `_` and `\` escapes. Default: `column LIKE pattern ESCAPE '\'`.
   *
   * @example
   * like: (column, pattern) => sql`${column} GLOB ${likeToGlob(pattern)}` // SQLite: its LIKE ignores ASCII case
   */
  like? (column: SqlFragment, pattern: string): SqlFragment
  /**
   * True when the lower-cased column holds `needle` (already lower-cased; no escaping needed).
   * Default: `POSITION(needle IN LOWER(column)) > 0`.
   *
   * @example
   * contains: (column, needle) => sql`position(lowerUTF8(${column}), ${needle}) > 0` // ClickHouse
   */
  contains? (column: SqlFragment, needle: string): SqlFragment
  /**
   * An exact decimal value (`-12.50`: at most 38 digits, `scale` of them after the point).
   * Default: `CAST(value AS DECIMAL(38, scale))`.
   *
   * @example
   * decimal: (value) => sql.val(Number(value)) // an engine without exact decimals compares doubles
   */
  decimal? (value: string, scale: number): SqlFragment
  /**
   * True when `column` equals one of a list. `values` are the list's bound values as the other methods write them
   * (`decimal`, `date`, ...); `list` holds the values as the filter holds them with the field's type, for an engine that
   * binds the whole list as one parameter. Default: `column IN (values)`, one parameter per value (PostgreSQL allows
   * at most 65,535 per statement).
   *
   * @example
   * in: (column, values, list) => sql`${column} = ANY(CAST(${list.values.map(String)} AS text[]))` // one parameter
   */
  in? (column: SqlFragment, values: readonly SqlFragment[], list: FilterList): SqlFragment
  /**
   * A double value (any finite double: `0.1`, `1e19`, `-1e300`). Default: the number as a bound parameter.
   *
   * @example
   * double: (value) => sql`CAST(${String(value)} AS DOUBLE)` // DuckDB binds an integral number as BIGINT, past 2^63 it fails
   */
  double? (value: number): SqlFragment
  /**
   * A date value (`YYYY-MM-DD`). Default: `CAST(value AS DATE)`.
   *
   * @example
   * date: (value) => sql`toDate(${value})` // ClickHouse
   */
  date? (value: string): SqlFragment
  /**
   * A datetime value: for a column holding instants (`zoned`) compare `value.instant`, for a naive one
   * `value.wall` (the wall time as typed, `YYYY-MM-DD HH:MM:SS`). Default: `CAST(<ISO instant> AS TIMESTAMP WITH
   * TIME ZONE)` when zoned, else `CAST(wall AS TIMESTAMP)`.
   *
   * @example
   * dateTime: (value, zoned) => sql`CAST(${zoned ? utcWall(value.instant) : value.wall} AS DATETIME)` // MySQL
   */
  dateTime? (value: DateTimeValue, zoned: boolean): SqlFragment
}

/** A text export (`SqlEngineDefinition.textExport`): the statement `SqlDriver.streamText` runs. */
export interface SqlTextExport {
  statement: SqlStatement
  /**
   * Columns whose numbers the export spells as the engine does (`1e+20`, `0.0`, `nan`) while the row path's driver
   * hands over JS numbers: a number there with a fraction, an exponent or a non-finite spelling is read as the JS
   * number it spells and written by the field's formatter, as the row path writes that number. Default none.
   */
  jsNumbers?: readonly number[]
}

/** The values of an IN list as the filter holds them (see `FilterValue`), with the type of the field compared. */
export interface FilterList {
  /** The field's type: `int` values are canonical integer strings, `money` and `double` decimal strings, ... */
  type: FieldType
  /** True when a `datetime` column holds instants (compare `instant`), false when it holds wall times (`wall`). */
  zoned: boolean
  values: readonly FilterValue[]
}

/**
 * What an engine contributes to the shared SQL adapter: a compile-only query builder, its type mapping, the SQL that
 * exposes a column for filtering and for exact transfer, how it writes filters (`SqlFilterSyntax`, all defaulted),
 * and a driver factory. The shared code never asks which engine it runs on: everything that differs is here, so a
 * new engine is a new folder with one of these and nothing else.
 *
 * @example
 * export const myEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
 *   name: 'my-engine',
 *   builder: compileOnlyBuilder({ createAdapter: () => new SqliteAdapter(), ... }),
 *   types: [[/int/, { type: 'int' }], [/text/, { type: 'string' }]],
 *   ...
 * })
 * class MyAdapter extends SqlAdapter { constructor (options: SqlAdapterOptions) { super(myEngine, options) } }
 */
export interface SqlEngineDefinition extends SqlFilterSyntax {
  /** The engine's name, for messages (`postgres`, `mysql`). */
  name: string
  /** The compile-only Kysely that builds the engine's statements (see `compileOnlyBuilder`). */
  builder: Kysely<any>
  /** The type mapping, first matching rule wins. */
  types: readonly SqlTypeRule[]
  /**
   * True when a database is the unit a connection names (MySQL, ClickHouse): without a schema allow list,
   * only the connection's own database is listed. False: every non-system schema (PostgreSQL).
   */
  scopeToDefaultSchema: boolean
  /** Schemas never listed (system catalogs). */
  systemSchemas: readonly string[]
  /** The port used when the portal gives none. */
  defaultPort: number
  /**
   * The shortest token server mode accepts. Optional: default 8 (`MIN_TOKEN_LENGTH`); the files engine takes any
   * non-empty token (the demo's is `demo`).
   */
  minTokenLength?: number
  /** The column as the source subquery exposes it, so filters compare it as its portal type. */
  castColumn (column: SqlFragment, as: 'text' | 'int' | 'decimal'): SqlFragment
  /** The column as it is selected for transfer: `text` exactly as printed, `utc` as a UTC wall time. */
  readColumn (column: SqlFragment, read: 'text' | 'utc'): SqlFragment
  /**
   * The read statement as the engine's bulk text export (PostgreSQL: `COPY (<select>) TO STDOUT`), read through
   * `SqlDriver.streamText` and written by `TextRowsEncoder`, not a JS value per cell; undefined when this
   * statement cannot be exported (its rows are read instead). `columns` are the readings of the statement's select
   * list (`c0`, `c1`, ...), for an engine that writes each column's text itself. Optional: default none.
   *
   * @example
   * textExport: (statement) => ({ statement: { sql: `${statement.sql}\nFORMAT TabSeparated`, parameters: [] } }) // ClickHouse
   */
  textExport? (statement: SqlStatement, columns: readonly SqlTypeReading[]): SqlTextExport | undefined
  /** Opens a pool. Must not connect eagerly. */
  connect (target: SqlTarget, options: { timeoutMs: number, poolSize: number }): SqlDriver
  /** True when `error` says the credentials were refused (then `check` answers 401, not 502). */
  isAuthError (error: unknown): boolean
  /** True when `error` says the statement timeout passed. */
  isTimeout (error: unknown): boolean
  /**
   * True when `error` says the server has no connection left ("too many connections": PostgreSQL 53300, MySQL
   * 1040): answered 503 `B24BI_ERR_SOURCE_BUSY` with `Retry-After`, not 502. Optional: default never.
   */
  isBusy? (error: unknown): boolean
}

/** `SqlFilterSyntax` with every default filled in. */
export type FilterSyntax = Required<SqlFilterSyntax>

/** The filter syntax of `engine`: its own methods where it has them, standard SQL elsewhere. */
export function filterSyntax (engine: SqlFilterSyntax): FilterSyntax {
  const textEquality = (column: SqlFragment): SqlFragment => engine.textEquality?.(column) ?? column
  return {
    textEquality,
    textOrder: (column) => engine.textOrder?.(column) ?? textEquality(column),
    like: (column, pattern) => engine.like?.(column, pattern) ?? sql`${column} LIKE ${pattern} ESCAPE '\\'`,
    contains: (column, needle) => engine.contains?.(column, needle) ?? sql`POSITION(${needle} IN LOWER(${column})) > 0`,
    decimal: (value, scale) => engine.decimal?.(value, scale) ??
      sql`CAST(${value} AS DECIMAL(${sql.raw(String(MAX_DECIMAL_DIGITS))}, ${sql.raw(String(scale))}))`,
    in: (column, values, list) => engine.in?.(column, values, list) ?? sql`${column} IN (${sql.join([...values])})`,
    double: (value) => engine.double?.(value) ?? sql.val(value),
    date: (value) => engine.date?.(value) ?? sql`CAST(${value} AS DATE)`,
    dateTime: (value, zoned) => engine.dateTime?.(value, zoned) ??
      (zoned ? sql`CAST(${value.instant.toISOString()} AS TIMESTAMP WITH TIME ZONE)` : sql`CAST(${value.wall} AS TIMESTAMP)`)
  }
}

/**
 * An instant as a UTC wall time, `YYYY-MM-DD HH:MM:SS`: for engines that compare instants as UTC wall times.
 *
 * @example
 * utcWall(new Date('2026-03-29T01:30:00Z')) // '2026-03-29 01:30:00'
 */
export function utcWall (instant: Date): string {
  const iso = instant.toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
}

/**
 * A compile-only Kysely over an engine's dialect parts: build a query, call `.compile()`, run `{ sql, parameters }`
 * with the engine's own driver. It never connects (executing through it returns no rows).
 *
 * @example
 * const builder = compileOnlyBuilder({
 *   createAdapter: () => new PostgresAdapter(),
 *   createIntrospector: (db) => new PostgresIntrospector(db),
 *   createQueryCompiler: () => new PostgresQueryCompiler()
 * })
 * const { sql, parameters } = builder.selectFrom('deals').selectAll().compile()
 */
export function compileOnlyBuilder (dialect: Omit<Dialect, 'createDriver'>): Kysely<any> {
  return new Kysely<any>({
    dialect: {
      createDriver: () => new DummyDriver(),
      createAdapter: () => dialect.createAdapter(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createQueryCompiler: () => dialect.createQueryCompiler()
    }
  })
}

const REQUIRED_METHODS = ['castColumn', 'readColumn', 'connect', 'isAuthError', 'isTimeout'] as const
const OPTIONAL_METHODS = ['isBusy', 'textExport', 'textEquality', 'textOrder', 'like', 'contains', 'in', 'decimal', 'double', 'date', 'dateTime'] as const

/** Checks an engine definition's shape once, when an adapter is built: a mistake fails at start-up, not at a request. */
export function checkEngine (engine: SqlEngineDefinition): void {
  const name = typeof engine?.name === 'string' && engine.name !== '' ? engine.name : undefined
  const invalid = (problem: string): never => { throw new ERR_CONFIG_INVALID(`engine${name === undefined ? '' : ` ${name}`}`, problem) }
  if (name === undefined) invalid('needs a name')
  if (typeof engine.builder?.selectFrom !== 'function') invalid('builder must be a Kysely instance (see compileOnlyBuilder)')
  if (!Array.isArray(engine.types)) invalid('types must be a list of [pattern, reading] rules')
  if (!Array.isArray(engine.systemSchemas)) invalid('systemSchemas must be a list')
  if (engine.minTokenLength !== undefined && !(Number.isInteger(engine.minTokenLength) && engine.minTokenLength >= 1)) invalid('minTokenLength must be a positive integer when given')
  for (const method of REQUIRED_METHODS) if (typeof engine[method] !== 'function') invalid(`${method} must be a function`)
  for (const method of OPTIONAL_METHODS) {
    if (engine[method] !== undefined && typeof engine[method] !== 'function') invalid(`${method} must be a function when given`)
  }
}
