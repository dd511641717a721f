import type { Kysely, RawBuilder } from 'kysely'
import type { Logger } from '../../src/adapter.js'
import type { SqlEngine } from './sql-dialect.js'
import type { SqlTypeRule } from './sql-types.js'

/** One column of a table or view, as the engine's catalog lists it. */
export interface SqlCatalogColumn {
  schema: string
  table: string
  column: string
  /** The engine's type name, e.g. `numeric(38,10)`, `timestamp with time zone`, `Nullable(Decimal(38, 2))`. */
  dataType: string
}

/** What the catalog holds: the connection's own schema (or database) and every visible column. */
export interface SqlCatalog {
  /** The schema the connection uses by default (`current_schema()`, `DATABASE()`, `main`, `currentDatabase()`). */
  defaultSchema: string
  columns: SqlCatalogColumn[]
}

/** One column of a query's result (for datasets defined by a query). */
export interface SqlQueryColumn {
  column: string
  dataType: string
}

/** A compiled statement: SQL text and its bound parameters. */
export interface SqlStatement {
  sql: string
  parameters: readonly unknown[]
}

/** What a read needs besides the statement. */
export interface SqlStreamOptions {
  /** Aborted when the portal disconnects or the deadline passes: cancel the query on the server. */
  signal: AbortSignal
  /** The statement timeout, in milliseconds. */
  timeoutMs: number
  /** Rows per batch. */
  batchSize: number
  log: Logger
}

/**
 * One connection pool to one database with one set of credentials: the small lifecycle an engine implements.
 * Rows are arrays in the order of the statement's select list; values exact (strings or bigints for
 * 64-bit integers and decimals, `YYYY-MM-DD` strings for dates, wall-time strings for naive datetimes).
 */
export interface SqlDriver {
  /** Tables and views with their columns, in column order. */
  introspect (): Promise<SqlCatalog>
  /** The columns a SELECT returns, without reading rows. */
  describeQuery (sql: string): Promise<SqlQueryColumn[]>
  /** Runs a statement and yields its rows in batches; cancels the query when `signal` aborts. */
  stream (statement: SqlStatement, options: SqlStreamOptions): AsyncIterable<unknown[][]>
  /** Resolves when a trivial query succeeds (used by `/ready`, and by `check` without `authenticate`). */
  ping (): Promise<void>
  /**
   * Logs in on a new connection (never a pooled one) and runs a trivial query: proves the credentials still work
   * (portal mode's `check`, whenever the auth cache expired). Optional: default `ping`, right for engines that
   * authenticate every request (ClickHouse over HTTP) or have no credentials (SQLite).
   */
  authenticate? (): Promise<void>
  /** Ends every connection of the pool. */
  close (): Promise<void>
}

/** Where and as whom a driver connects (from the server's URL, or from the portal's settings in portal mode). */
export interface SqlTarget {
  /** The server's URL (server mode); undefined in portal mode. */
  url?: string
  host?: string
  port?: number
  database?: string
  user?: string
  password?: string
}

/**
 * What an engine contributes to the shared SQL adapter: a compile-only query builder, its type mapping,
 * the SQL that exposes a column for filtering and for exact transfer, and a driver factory.
 */
export interface SqlEngineDefinition {
  /** The engine's name in `compileFilter`. */
  engine: SqlEngine
  /** The compile-only Kysely that builds the engine's statements. */
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
  /** The column as the source subquery exposes it, so filters compare it as its portal type. */
  castColumn (column: RawBuilder<unknown>, as: 'text' | 'int' | 'decimal'): RawBuilder<unknown>
  /** The column as it is selected for transfer: `text` exactly as printed, `utc` as a UTC wall time. */
  readColumn (column: RawBuilder<unknown>, read: 'text' | 'utc'): RawBuilder<unknown>
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
