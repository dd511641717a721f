import type { Logger } from '../../src/core/adapter.js'

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
  /** Tables and views with their columns, in column order. `log` takes what the catalog read noticed (optional). */
  introspect (log?: Logger): Promise<SqlCatalog>
  /** The columns a SELECT returns, without reading rows. */
  describeQuery (sql: string): Promise<SqlQueryColumn[]>
  /** Runs a statement and yields its rows in batches; cancels the query when `signal` aborts. */
  stream (statement: SqlStatement, options: SqlStreamOptions): AsyncIterable<unknown[][]>
  /**
   * Runs the engine's bulk text export (`SqlEngineDefinition.textExport`'s statement) and yields its bytes as they
   * arrive: rows in the tab-separated text form `TextRowsEncoder` reads. Cancels the query when `signal` aborts or
   * the caller stops early. Optional: only engines with a `textExport` have it.
   */
  streamText? (statement: SqlStatement, options: SqlStreamOptions): AsyncIterable<Uint8Array>
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
