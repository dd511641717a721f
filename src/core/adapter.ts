import type { FieldInfo, TableInfo } from './field-types.js'
import type { FilterNode, FilterOp } from './filter-ast.js'
import type { DateTimeFormat, ValueFormatter } from './value-format.js'
import type { EncodedRows } from './text-rows.js'
import type { TimeZone } from './time-zone.js'

/** A connection setting the portal user fills in when creating a source (`biconnector.connector.add` settings). */
export interface Setting {
  /** The key under which the value arrives in `connection`. */
  code: string
  /** The label shown in the portal. */
  name: string
  /** The input shown in the portal. */
  type: 'STRING' | 'INT'
  /** When true (the default) a request without it is answered 400 naming it. */
  required?: boolean
  /** When true the value is a secret (it is always redacted from logs anyway); secrets are not trimmed. */
  secret?: boolean
  /**
   * When true the value is a host the adapter connects to (portal mode): it is compared lower-cased without a
   * trailing dot, and refused authentications are also counted per host, so the connector is no
   * password-guessing relay. Default false.
   */
  host?: boolean
}

/** The values the portal sent for the adapter's settings, already checked for presence. */
export type Connection = Readonly<Record<string, string>>

/**
 * One row: either positional, in the order of `plan.fields`, or an object keyed by each field's `source ?? code`.
 * Values: `null`/`undefined`; numbers, bigints or decimal strings (exact numbers travel as strings or bigints);
 * strings; `Date` for instants (formatted in the configured zone); `YYYY-MM-DD[ HH:MM:SS]` strings for naive dates.
 */
export type Row = readonly unknown[] | Readonly<Record<string, unknown>>

/** What the runtime asks `readRows` for. */
export interface ReadPlan {
  /** The table code (as listed by the adapter). */
  table: string
  /** The fields to return, in this order: the selected ones, then any the residual filter needs. */
  fields: readonly FieldInfo[]
  /** Every field of the table, as described (renames applied): the pushed filter may name fields not read. */
  tableFields: readonly FieldInfo[]
  /** The part of the filter the adapter declared it can push down, or undefined. */
  filter: FilterNode | undefined
  /** Maximum rows to return, or undefined for all. Set only when the adapter pushes limits down. */
  limit: number | undefined
  /** Aborted when the portal disconnects, the deadline passes or the server shuts down: stop reading, cancel the query. */
  signal: AbortSignal
}

/** What `readEncoded` gets besides the read plan: how the answer writes each of `plan.fields`. */
export interface EncodePlan extends ReadPlan {
  /** Each field's formatter, in `fields` order: the row path's writer, for any value the source cannot write itself. */
  formatters: readonly ValueFormatter[]
  /** The zone datetimes are answered in. */
  timeZone: TimeZone
  /** How datetimes are written. */
  datetimeFormat: DateTimeFormat
}

/**
 * What an adapter pushes down to its source. The runtime applies the rest itself,
 * so an adapter that declares nothing still answers every filter and limit correctly.
 */
export interface Capabilities {
  /** True when `readRows` honours `plan.limit`. Default false. */
  limit?: boolean
  /**
   * Which conditions `readRows` applies itself: `true` for all, or a function deciding per field and operator.
   * The function also gets the table and the request's context, for adapters whose answer depends on the source
   * the caller connects to (the SQL adapter's column types come from each portal's own database).
   * Default: none (the runtime filters every row).
   *
   * @example
   * filter: (field, op, { table }) => table === 'deals' && op === 'eq'
   */
  filter?: boolean | ((field: FieldInfo, op: FilterOp, scope: PushdownScope) => boolean)
  /**
   * How many `readRows` the source serves at once (its pool sizes, its own cap); the runtime admits no more
   * urlData answers than this and answers 503 beyond. Default: no bound of the adapter's own.
   */
  concurrentReads?: number
}

/** What a `Capabilities.filter` function is asked about besides the field and operator. */
export interface PushdownScope {
  /** The table code (as listed by the adapter). */
  table: string
  /** The context of the request being planned (the same that `describeTable` and `readRows` get). */
  context: RequestContext
}

/** The per-request context handed to every adapter method. */
export interface RequestContext {
  /** The values of the declared settings. */
  connection: Connection
  /** A pino-compatible logger bound to the request. */
  log: Logger
}

/** The small logger shape adapters get (pino's). */
export interface Logger {
  debug: (obj: unknown, msg?: string) => void
  info: (obj: unknown, msg?: string) => void
  warn: (obj: unknown, msg?: string) => void
  error: (obj: unknown, msg?: string) => void
}

/**
 * The class an adapter author subclasses. Only `listTables`, `describeTable` and `readRows` are required;
 * the runtime (see `AdapterRuntime`) owns validation, authentication caching, unknown tables and fields,
 * residual filtering, limits, formatting, errors and the lifecycle.
 *
 * @example
 * class Holidays extends Adapter {
 *   settings = [{ code: 'token', name: 'Token', type: 'STRING' }] as const
 *   async listTables () { return [{ code: 'holidays', title: 'Public holidays' }] }
 *   async describeTable () { return [{ code: 'DATE', type: 'date' }, { code: 'NAME', type: 'string' }] }
 *   async * readRows () { yield [{ DATE: '2026-01-01', NAME: "New Year's Day" }] }
 * }
 */
export abstract class Adapter {
  /** The settings the portal asks the user for. Default: none. */
  readonly settings: readonly Setting[] = []

  /** Opens pools, files or clients. Called once, lazily, before the first request; retried if it throws. Default: nothing. */
  async init (): Promise<void> {}

  /**
   * Decides whether `connection` may use this connector. Return false (or throw `ERR_AUTH_REJECTED`) to answer 401.
   * Default: true (accept everyone: only for public data).
   */
  async check (_context: RequestContext): Promise<boolean> {
    return true
  }

  /**
   * Lists the tables. `search` is the portal's search string (may be empty); the runtime also filters by it,
   * so an adapter may ignore it.
   */
  abstract listTables (search: string, context: RequestContext): Promise<readonly TableInfo[]>

  /** Describes one table's fields in their natural order; undefined when the table does not exist. */
  abstract describeTable (table: string, context: RequestContext): Promise<readonly FieldInfo[] | undefined>

  /** Yields the table's rows in batches (arrays of rows). See `ReadPlan` for what to honour. */
  abstract readRows (plan: ReadPlan, context: RequestContext): AsyncIterable<readonly Row[]>

  /**
   * Optional fast path: the answer's rows written by the source itself (a database's own export, turned into
   * JSON bytes by `TextRowsEncoder`), never a JS value per cell. The runtime asks only when the whole read runs in
   * the adapter (every filter condition pushed, the limit pushed, no field read for the runtime), and the bytes must
   * be exactly what `readRows` and the formatters would answer. Return undefined to answer this plan through
   * `readRows`. Default: absent.
   */
  readEncoded? (plan: EncodePlan, context: RequestContext): AsyncIterable<EncodedRows> | undefined

  /** What `readRows` pushes down. Default: nothing; the runtime does all filtering and limiting. */
  capabilities (): Capabilities {
    return {}
  }

  /** True when the source is reachable (for `/ready`). Default: true. */
  async ready (): Promise<boolean> {
    return true
  }

  /** Releases pools, files and clients. Called once at shutdown. Default: nothing. */
  async close (): Promise<void> {}
}
