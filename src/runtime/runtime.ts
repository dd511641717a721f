import type { Adapter, Connection, EncodePlan, Logger, ReadPlan, RequestContext, Row, Setting } from '../core/adapter.js'
import { assertAdapterShape } from '../core/adapter-shape.js'
import { RateLimiter } from '../policy/rate-limiter.js'
import type { WindowStore } from '../policy/window-store.js'
import { DataStream, type DataStreamSummary } from './data-stream.js'
import {
  ERR_ADAPTER_CLOSED, ERR_AUTH_REJECTED, ERR_OVERLOADED, ERR_READS_LIMITED, ERR_AUTH_THROTTLED, withRetryAfter, ERR_LIMIT_EXCEEDED, ERR_SETTING_INVALID, ERR_SETTING_MISSING,
  ERR_SOURCE_FAILED, ERR_TABLE_NO_FIELDS, ERR_TABLE_NOT_FOUND, toB24biError, type B24biError
} from '../core/errors.js'
import { isDatasetFieldName, suggestDatasetFieldName, type FieldInfo, type TableInfo } from '../core/field-types.js'
import { compilePredicate } from '../filter/evaluate.js'
import { formatRow, valueFormatter, type ValueFormatter } from '../core/value-format.js'
import { planQuery, type QueryPlan, type QueryRequest } from './query-plan.js'
import { resolveRuntimeOptions, type ResolvedRuntimeOptions, type RuntimeOptions } from './runtime-options.js'
import { credentialHash } from '../policy/secrets.js'
import { connectionScrubbingLogger, scrubConnectionValues } from '../policy/log-redaction.js'
import { ReadSlots, type ReadSlot } from './read-slots.js'
import type { EncodedRows } from '../core/text-rows.js'

/** One item of the table list answer. */
export interface TableListItem {
  /** The adapter's optional identifier of the table (the protocol allows it beside code and title). */
  id?: string | number
  code: string
  title: string
}

/** What the runtime reports about a finished urlData answer (for logs and metrics). */
export interface DataSummary extends DataStreamSummary {
  table: string
}

/**
 * Wraps an adapter and owns every invariant so the adapter author writes only the happy path:
 * lazy single-flight init (retried after a failure), use after close, settings validation,
 * authentication with a short cache keyed by a credential hash, unknown tables and fields, the
 * filter split between adapter and runtime, limits, value formatting, coded errors, the deadline.
 */
export class AdapterRuntime {
  readonly adapter: Adapter
  readonly options: ResolvedRuntimeOptions
  #init: Promise<void> | undefined
  #closed = false
  readonly #authCache = new Map<string, number>()
  readonly #credentials = new WeakMap<object, { connection: Connection, key: string }>()
  readonly #warnedTables = new Set<string>()
  readonly #failures: RateLimiter | undefined
  readonly #dataListeners = new Set<(summary: DataSummary) => void>()
  #slots: ReadSlots | undefined

  /**
   * @param shared what replicas share: `windowStore` counts refused authentications where every replica sees them
   * (a `RedisWindowStore`); default this process's memory. Unused when `authFailures` is false.
   */
  constructor (adapter: Adapter, options: RuntimeOptions = {}, shared: { windowStore?: WindowStore } = {}) {
    assertAdapterShape(adapter, 'adapter')
    this.adapter = adapter
    this.options = resolveRuntimeOptions(options)
    this.#failures = this.options.authFailures === false
      ? undefined
      : new RateLimiter({ name: 'auth-failures', limit: this.options.authFailures, ...(shared.windowStore === undefined ? {} : { store: shared.windowStore }) })
  }

  async #ready (): Promise<void> {
    if (this.#closed) throw new ERR_ADAPTER_CLOSED()
    this.#init ??= this.adapter.init().catch((error: unknown) => {
      this.#init = undefined
      throw toB24biError(error, ERR_SOURCE_FAILED)
    })
    await this.#init
  }

  /**
   * Calls `listener` with the summary of every urlData answer this runtime ends (the metrics plugin counts
   * them); returns the function that unsubscribes. Listeners belong to this runtime only, so two servers in
   * one process never see each other's answers.
   *
   * @example
   * const stop = runtime.onDataEnd((summary) => rows.inc({ table: summary.table }, summary.rows))
   */
  onDataEnd (listener: (summary: DataSummary) => void): () => void {
    this.#dataListeners.add(listener)
    return () => { this.#dataListeners.delete(listener) }
  }

  /**
   * Checks `connection` against the declared settings and returns the values as canonical strings, so one
   * database is one identity (one auth-cache entry, one rate-limit allowance, one pool): values other than
   * secrets trimmed, integers as numbers (`05432` is `5432`), hosts lower-cased without a trailing dot.
   */
  connection (raw: Readonly<Record<string, unknown>> | undefined): Connection {
    const values: Record<string, string> = {}
    for (const setting of this.adapter.settings) {
      const value = raw?.[setting.code]
      if (typeof value !== 'string' && typeof value !== 'number' && value !== undefined && value !== null) {
        throw new ERR_SETTING_INVALID(setting.code, 'a single value')
      }
      const text = value === undefined || value === null ? '' : setting.secret === true ? String(value) : String(value).trim()
      if (text === '') {
        if (setting.required === false) continue
        throw new ERR_SETTING_MISSING(setting.code)
      }
      values[setting.code] = canonicalValue(setting, text)
    }
    return Object.freeze(values)
  }

  /**
   * The checked connection and its credential hash (the auth cache and rate-limit key), computed once per
   * request body: the rate limiter and `authenticate` both ask for them.
   */
  credentials (raw: Readonly<Record<string, unknown>>): { connection: Connection, key: string } {
    let known = this.#credentials.get(raw)
    if (known === undefined) {
      const connection = this.connection(raw)
      known = { connection, key: credentialHash(connection, this.options.hashKey) }
      this.#credentials.set(raw, known)
    }
    return known
  }

  /**
   * Validates and authenticates the connection; returns the request context for the other calls.
   * `client.address` (the caller's IP) counts refused attempts: beyond the `authFailures` allowance the
   * caller (or, in portal mode, anyone naming the same host) gets 429 until the window ends; credentials
   * already proven keep working.
   */
  async authenticate (raw: Readonly<Record<string, unknown>> | undefined, log: Logger, client?: { address?: string }): Promise<RequestContext> {
    const { connection, key } = this.credentials(raw ?? {})
    await this.#ready()
    const context = { connection, log: connectionScrubbingLogger(log, connection) }
    const until = this.#authCache.get(key)
    if (until !== undefined && until > Date.now()) return context
    const failureKeys = this.#failureKeys(connection, client)
    await this.#refuseThrottled(failureKeys, log)
    const accepted = await this.adapter.check(context).catch(async (error: unknown) => {
      const coded = failure(error, context)
      if (coded.code === ERR_AUTH_REJECTED.code) await this.#recordFailure(failureKeys, log)
      throw coded
    })
    if (!accepted) {
      await this.#recordFailure(failureKeys, log)
      throw new ERR_AUTH_REJECTED()
    }
    if (this.options.authCacheSeconds > 0) {
      if (this.#authCache.size >= AUTH_CACHE_ENTRIES) this.#authCache.clear()
      this.#authCache.set(key, Date.now() + this.options.authCacheSeconds * 1000)
    }
    return context
  }

  #failureKeys (connection: Connection, client: { address?: string } | undefined): string[] {
    if (this.#failures === undefined) return []
    const keys = client?.address !== undefined ? ['ip:' + client.address] : []
    for (const setting of this.adapter.settings) {
      if (setting.host === true && connection[setting.code] !== undefined) keys.push('host:' + connection[setting.code]!)
    }
    return keys
  }

  // A shared store that fails lets the attempt through (fail open) and says so: a Redis outage must not lock
  // every portal out, and the adapter's own check still decides.
  async #refuseThrottled (keys: readonly string[], log: Logger): Promise<void> {
    let wait = 0
    try {
      wait = await this.#failures!.retryAfter(keys)
    } catch (error) {
      log.warn({ err: error }, 'the shared refused-authentication store failed; the attempt is let through')
      return
    }
    if (wait === 0) return
    log.warn({ retryAfterS: wait }, 'too many refused connection settings from this client or for this host: answering 429')
    throw withRetryAfter(new ERR_AUTH_THROTTLED(String(wait)), wait)
  }

  async #recordFailure (keys: readonly string[], log: Logger): Promise<void> {
    try {
      await this.#failures?.record(keys)
    } catch (error) {
      log.warn({ err: error }, 'the shared refused-authentication store failed; this refusal is not counted')
    }
  }

  /**
   * The table list: every table with a non-empty code and title (and its `id` when the adapter gives one),
   * filtered by `search` (case-insensitive).
   */
  async tableList (search: string, context: RequestContext): Promise<TableListItem[]> {
    const tables: readonly TableInfo[] = await this.#call(() => this.adapter.listTables(search, context), context)
    const needle = search.trim().toLowerCase()
    const answer: TableListItem[] = []
    for (const table of tables) {
      if (typeof table.code !== 'string' || table.code === '') {
        context.log.warn({ table }, 'adapter listed a table without a code; left out of the answer')
        continue
      }
      const title = table.title !== undefined && table.title !== '' ? table.title : table.code
      if (needle !== '' && !table.code.toLowerCase().includes(needle) && !title.toLowerCase().includes(needle)) continue
      answer.push(table.id === undefined ? { code: table.code, title } : { id: table.id, code: table.code, title })
    }
    return answer
  }

  /**
   * The fields of `table` as the portal sees them (renames applied); 404 for an unknown table,
   * `B24BI_ERR_TABLE_NO_FIELDS` for a table without fields (the portal refuses an empty description).
   */
  async describe (table: string, context: RequestContext): Promise<FieldInfo[]> {
    const described = await this.#call(() => this.adapter.describeTable(table, context), context)
    if (described === undefined) throw new ERR_TABLE_NOT_FOUND(table)
    if (described.length === 0) throw new ERR_TABLE_NO_FIELDS(table)
    const renames = this.options.renameFields[table] ?? {}
    const fields = described.map((field) => {
      const code = renames[field.code]
      return code === undefined
        ? { ...field, name: field.name !== undefined && field.name !== '' ? field.name : field.code }
        : { ...field, code, name: field.name !== undefined && field.name !== '' ? field.name : code, source: field.source ?? field.code }
    })
    this.#warnInvalidCodes(table, fields, context.log)
    return fields
  }

  #warnInvalidCodes (table: string, fields: readonly FieldInfo[], log: Logger): void {
    if (this.#warnedTables.has(table)) return
    const invalid = fields.filter((field) => !isDatasetFieldName(field.code))
    if (invalid.length === 0) return
    this.#warnedTables.add(table)
    const suggestion = Object.fromEntries(invalid.map((field) => [field.code, suggestDatasetFieldName(field.code)]))
    log.warn({ table, fields: invalid.map((field) => field.code), renameFields: { [table]: suggestion } },
      'these field codes cannot be dataset field names in Bitrix24 (letter first, A-Z, 0-9, _, at most 32); rename them with the renameFields option')
  }

  /**
   * Plans and starts a urlData answer. Errors before the first row throw (a clean coded answer);
   * later errors, the deadline and disconnects break the returned stream.
   */
  async data (
    table: string,
    request: QueryRequest,
    context: RequestContext,
    control: { startedAt: number, signal?: AbortSignal, onEnd?: (summary: DataSummary) => void }
  ): Promise<DataStream> {
    const slot = this.#readSlot(context)
    try {
      return await this.#startData(table, request, context, control, slot)
    } catch (error) {
      slot.release()
      throw error
    }
  }

  /**
   * A slot for one more answer of this credential set, or a coded refusal: 429 with Retry-After when the set
   * already has its share in progress, 503 when the server (or the adapter's pools) is full.
   */
  #readSlot (context: RequestContext): ReadSlot {
    this.#slots ??= new ReadSlots(
      this.options.concurrentReadsPerCredential,
      Math.min(this.options.concurrentReads, this.adapter.capabilities().concurrentReads ?? Infinity)
    )
    const slot = this.#slots.acquire(credentialHash(context.connection, this.options.hashKey))
    if (typeof slot !== 'string') return slot
    const wait = READ_SLOT_RETRY_SECONDS
    if (slot === 'credential') {
      context.log.warn({ concurrentReadsPerCredential: this.options.concurrentReadsPerCredential }, 'urlData: these settings already have their share of answers in progress: answering 429')
      throw withRetryAfter(new ERR_READS_LIMITED(String(this.options.concurrentReadsPerCredential), String(wait)), wait)
    }
    context.log.warn({ inUse: this.#slots.inUse }, 'urlData: every answer slot is in use: answering 503')
    throw withRetryAfter(new ERR_OVERLOADED(), wait)
  }

  async #startData (
    table: string,
    request: QueryRequest,
    context: RequestContext,
    control: { startedAt: number, signal?: AbortSignal, onEnd?: (summary: DataSummary) => void },
    slot: ReadSlot
  ): Promise<DataStream> {
    const fields = await this.describe(table, context)
    const plan = planQuery(fields, request, this.adapter.capabilities(), this.options, { table, context })
    context.log.debug({ table, pushed: plan.pushed, residual: plan.residual, pushedLimit: plan.pushedLimit, limit: plan.limit },
      'query plan: pushed runs in the adapter, residual in the runtime')
    const abort = new AbortController()
    const signal = control.signal === undefined ? abort.signal : AbortSignal.any([abort.signal, control.signal])
    const readPlan: ReadPlan = { table, fields: plan.readFields, tableFields: fields, filter: plan.pushed, limit: plan.pushedLimit, signal }
    const formatters = plan.select.map((field) => valueFormatter(field, {
      timeZone: this.options.timeZone,
      datetimeFormat: this.options.datetimeFormat,
      onNonFinite: (code) => context.log.warn({ table, field: code }, 'NaN or Infinity answered as null')
    }))
    const stream = new DataStream({
      header: plan.header,
      chunks: this.#encoded(readPlan, plan, formatters, context) ?? formatted(this.#rows(readPlan, plan, context), formatters),
      deadlineMs: this.options.deadlineSeconds * 1000,
      stallMs: this.options.stallSeconds * 1000,
      startedAt: control.startedAt,
      abort: (reason: B24biError) => abort.abort(reason),
      onEnd: (summary) => {
        // Mid-stream failures (a source error, a value that is not its type) are logged by whoever ends the
        // answer: scrubbed here, in place, before any of them sees it.
        if (summary.error !== undefined) scrubConnectionValues(summary.error, context.connection)
        slot.release()
        const ended = { ...summary, table }
        control.onEnd?.(ended)
        for (const listener of this.#dataListeners) listener(ended)
      }
    })
    await stream.start()
    return stream
  }

  /**
   * The rows as the adapter's source writes them (`readEncoded`), when the whole read runs there: every condition
   * pushed, the limit pushed (or none), no field read only for the runtime. Undefined otherwise, or when the adapter
   * declines this plan.
   */
  #encoded (readPlan: ReadPlan, plan: QueryPlan, formatters: readonly ValueFormatter[], context: RequestContext): AsyncGenerator<EncodedRows> | undefined {
    if (this.adapter.readEncoded === undefined || plan.residual !== undefined || plan.limit !== plan.pushedLimit ||
      plan.readFields.length !== plan.select.length || plan.limit === 0) return undefined
    const encodePlan: EncodePlan = { ...readPlan, formatters, timeZone: this.options.timeZone, datetimeFormat: this.options.datetimeFormat }
    const source = this.adapter.readEncoded(encodePlan, context)
    if (source === undefined) return undefined
    context.log.debug({ table: readPlan.table }, 'urlData: the source writes the rows')
    return this.#counted(source, context)
  }

  /** The encoded rows, counted against `maxRows` (the plan reads one past it), the adapter's errors coded. */
  async * #counted (source: AsyncIterable<EncodedRows>, context: RequestContext): AsyncGenerator<EncodedRows> {
    const maxRows = this.options.maxRows
    let sent = 0
    try {
      for await (const chunk of source) {
        sent += chunk.rows
        if (sent > maxRows) throw new ERR_LIMIT_EXCEEDED(String(maxRows))
        if (chunk.rows > 0) yield chunk
      }
    } catch (error) {
      throw failure(error, context)
    }
  }

  async * #rows (readPlan: ReadPlan, plan: QueryPlan, context: RequestContext): AsyncGenerator<unknown[][]> {
    const width = plan.select.length
    const keys = plan.readFields.map((field) => field.source ?? field.code)
    const indexOf = (code: string): number => plan.readFields.findIndex((field) => field.code === code)
    const keep = plan.residual === undefined ? undefined : compilePredicate(plan.residual, indexOf)
    const limit = plan.limit ?? Infinity
    const maxRows = this.options.maxRows
    let sent = 0
    if (limit === 0) return
    const source = this.adapter.readRows(readPlan, context)[Symbol.asyncIterator]()
    // The residual filter runs on the event loop: it yields every few milliseconds (inside a batch too, and when a
    // batch keeps nothing), so other requests and /health are answered while a long filter runs.
    let sliceStart = performance.now()
    try {
      while (true) {
        const next = await source.next()
        if (next.done === true) return
        const out: unknown[][] = []
        let checked = 0
        for (const row of next.value) {
          const values = toArray(row, keys)
          if (keep !== undefined) {
            if (++checked % RESIDUAL_CHECK_ROWS === 0 && performance.now() - sliceStart > RESIDUAL_SLICE_MS) {
              await yieldToEventLoop()
              sliceStart = performance.now()
            }
            if (!keep(values)) continue
          }
          if (sent === limit) break
          if (sent === maxRows) throw new ERR_LIMIT_EXCEEDED(String(maxRows))
          out.push(values.length === width ? values : values.slice(0, width))
          sent++
        }
        if (out.length > 0) yield out
        if (sent === limit) return
        if (keep !== undefined && performance.now() - sliceStart > RESIDUAL_SLICE_MS) {
          await yieldToEventLoop()
          sliceStart = performance.now()
        }
      }
    } catch (error) {
      throw failure(error, context)
    } finally {
      await source.return?.()
    }
  }

  async #call<T> (step: () => Promise<T>, context: RequestContext): Promise<T> {
    await this.#ready()
    try {
      return await step()
    } catch (error) {
      throw failure(error, context)
    }
  }

  /** True when the adapter is initialised and its source answers (for `/ready`). */
  async ready (): Promise<boolean> {
    try {
      await this.#ready()
      return await this.adapter.ready()
    } catch {
      return false
    }
  }

  /** Closes the adapter once; later calls answer `B24BI_ERR_ADAPTER_CLOSED`. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const init = this.#init
    if (init !== undefined) await init.catch(() => {})
    await this.adapter.close()
  }
}

/**
 * What an adapter threw, as the coded error everyone downstream logs or answers: the request's connection values
 * scrubbed from it and its causes whatever the adapter wrote (a password in a driver message), a foreign error
 * wrapped as `B24BI_ERR_SOURCE_FAILED`.
 */
function failure (error: unknown, context: RequestContext): B24biError {
  return scrubConnectionValues(toB24biError(error, ERR_SOURCE_FAILED), context.connection)
}

function canonicalValue (setting: Setting, text: string): string {
  if (setting.type === 'INT') {
    if (!/^[-+]?\d{1,30}$/.test(text)) throw new ERR_SETTING_INVALID(setting.code, 'an integer')
    return BigInt(text).toString()
  }
  if (setting.host === true) return text.toLowerCase().replace(/\.$/, '')
  return text
}

/**
 * Credential sets whose successful check is remembered at once; beyond it the cache starts over. With
 * `authCacheSeconds` this bounds how long a revoked credential keeps working on a replica (at most
 * `authCacheSeconds`: the next check opens a fresh connection) and how much memory the cache takes.
 */
export const AUTH_CACHE_ENTRIES = 10_000

/** Retry-After of an answer refused a read slot, in seconds. */
const READ_SLOT_RETRY_SECONDS = 5

/** The residual filter yields to the event loop after this many milliseconds of work. */
const RESIDUAL_SLICE_MS = 10
/** It looks at the clock every this many rows. */
const RESIDUAL_CHECK_ROWS = 256

async function yieldToEventLoop (): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
}

/** The row path's batches as answer text, each value by its field's formatter; a value error names its row. */
async function * formatted (batches: AsyncIterable<unknown[][]>, formatters: readonly ValueFormatter[]): AsyncGenerator<EncodedRows> {
  let number = 0
  for await (const batch of batches) {
    let text = ''
    for (const row of batch) text += ',' + formatRow(row, formatters, ++number)
    yield { bytes: text, rows: batch.length }
  }
}

function toArray (row: Row, keys: readonly string[]): unknown[] {
  if (Array.isArray(row)) return row as unknown[]
  const object = row as Readonly<Record<string, unknown>>
  const values = new Array<unknown>(keys.length)
  for (let i = 0; i < keys.length; i++) values[i] = object[keys[i]!]
  return values
}
