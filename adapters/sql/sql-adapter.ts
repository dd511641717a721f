import { Adapter, type Capabilities, type Connection, type EncodePlan, type Logger, type ReadPlan, type RequestContext, type Row, type Setting } from '../../src/core/adapter.js'
import { ERR_QUERY_TIMEOUT, ERR_SETTING_INVALID, ERR_SOURCE_UNAVAILABLE, isB24biError } from '../../src/core/errors.js'
import type { FieldInfo, TableInfo } from '../../src/core/field-types.js'
import { credentialHash, type EncodedRows, formatRow, HostGuard, matchesAny, TextRowsEncoder } from '../../src/adapter-kit/index.js'
import { PoolCache, type PoolLease } from './pool-cache.js'
import { PoolGate, sourceBusy } from './pool-gate.js'
import { datasetTable, tablesFromCatalog, type SqlTable } from './sql-catalog.js'
import type { SqlDriver, SqlStatement, SqlTarget } from './sql-driver.js'
import { checkEngine, type SqlEngineDefinition, type SqlTextExport } from './sql-engine.js'
import { resolveSqlOptions, type ResolvedSqlOptions, type SqlAdapterOptions } from './sql-options.js'
import { markUtc, planReadings, readStatement, utcPositions } from './sql-statement.js'

/** Milliseconds the readiness probe's own connection may take for its trivial query. */
const PROBE_TIMEOUT_MS = 3000

/** The settings of portal mode, as `biconnector.connector.add` shows them. */
export const PORTAL_SETTINGS: readonly Setting[] = Object.freeze([
  { code: 'host', name: 'Host', type: 'STRING', host: true },
  { code: 'port', name: 'Port', type: 'INT', required: false },
  { code: 'database', name: 'Database', type: 'STRING' },
  { code: 'user', name: 'User', type: 'STRING' },
  { code: 'password', name: 'Password', type: 'STRING', required: false, secret: true }
])

/** One open pool, its connections as permits, and what was read from its catalog. */
interface PoolState {
  driver: SqlDriver
  gate: PoolGate
  catalog?: { until: number, tables: Promise<Map<string, SqlTable>> }
  datasets: Map<string, { until: number, table: Promise<SqlTable | undefined> }>
  /** Each table as last described, by code: where `capabilities` looks up which columns the database filters. */
  described: Map<string, SqlTable>
}

/**
 * The shared SQL adapter: introspection, type mapping, exposure lists, datasets, streaming reads with select,
 * filter and limit pushed down, statement timeouts, cancellation, and the two connection modes.
 * An engine supplies only a `SqlEngineDefinition` (builder, type table, driver factory).
 *
 * @example
 * class PostgresAdapter extends SqlAdapter {
 *   constructor (options: SqlAdapterOptions) { super(postgresEngine, options) }
 * }
 */
export class SqlAdapter extends Adapter {
  override readonly settings: readonly Setting[]
  /** The validated options. */
  readonly options: ResolvedSqlOptions
  readonly #engine: SqlEngineDefinition
  readonly #pools: PoolCache<PoolState>
  #probe: SqlDriver | undefined
  readonly #guard: HostGuard

  constructor (engine: SqlEngineDefinition, options: SqlAdapterOptions) {
    super()
    checkEngine(engine)
    this.#engine = engine
    this.options = resolveSqlOptions(options, engine.name, engine.minTokenLength)
    this.settings = this.options.mode === 'portal'
      ? PORTAL_SETTINGS
      : this.options.public ? [] : [{ code: 'token', name: 'Access token', type: 'STRING', secret: true }]
    this.#guard = new HostGuard(this.options.allowHosts)
    this.#pools = new PoolCache<PoolState>({
      maxPools: this.options.maxPools,
      idleMs: this.options.idleMs,
      close: async (state) => await state.driver.close()
    })
  }

  /** Pools open now (one per distinct credential set in portal mode). */
  get poolCount (): number {
    return this.#pools.size
  }

  #open (target: SqlTarget): PoolState {
    return {
      driver: this.#engine.connect(target, { timeoutMs: this.options.timeoutMs, poolSize: this.options.poolSize }),
      gate: new PoolGate(this.options.poolSize, this.options.poolWaitMs),
      datasets: new Map(),
      described: new Map()
    }
  }

  /** Portal mode: the pool of one set of settings, and its port (400 when the port is not one). */
  #portalPool (connection: Connection): { key: string, port: number } {
    const port = connection.port === undefined ? this.#engine.defaultPort : Number(connection.port)
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ERR_SETTING_INVALID('port', 'a port number')
    // The runtime hands canonical values (host lower-cased, port a number); the default port is spelled out here,
    // so `port` left out and the default port given are one pool.
    return { key: credentialHash({ ...connection, port: String(port) }), port }
  }

  async #lease (connection: Connection): Promise<PoolLease<PoolState>> {
    if (this.options.mode === 'server') return this.#pools.lease('server', () => this.#open({ url: this.options.url }))
    const { key, port } = this.#portalPool(connection)
    if (this.#pools.has(key)) return this.#pools.lease(key, () => { throw new ERR_SOURCE_UNAVAILABLE() })
    const host = await this.#guard.resolve(connection.host ?? '')
    const target = { host, port, database: connection.database, user: connection.user, password: connection.password ?? '' }
    return this.#pools.lease(key, () => this.#open(target))
  }

  /** Runs `work` with one of the pool's connections: waits `poolWaitSeconds` at most for it (then 503 with Retry-After). */
  async #with<T> (context: RequestContext, work: (state: PoolState, lease: PoolLease<PoolState>) => Promise<T>): Promise<T> {
    const lease = await this.#lease(context.connection)
    try {
      const release = await lease.pool.gate.acquire()
      try {
        return await work(lease.pool, lease)
      } catch (error) {
        throw this.#busy(error)
      } finally {
        release()
      }
    } finally {
      lease.release()
    }
  }

  /** "Too many connections" from the server (PostgreSQL 53300, MySQL 1040): retryable, 503 with Retry-After. */
  #busy (error: unknown): unknown {
    return !isB24biError(error) && this.#engine.isBusy?.(error) === true ? sourceBusy(error) : error
  }

  /**
   * Server mode: the token (or one of `tokens`) in constant time, or anyone with `public`. Portal mode: the host is
   * allowed and the database accepts the credentials on a fresh connection, never a pooled one that logged in before
   * a revocation; refused, the pool is closed (once its reads end), so revoked credentials stop working when the auth
   * cache expires.
   */
  override async check (context: RequestContext): Promise<boolean> {
    if (this.options.mode === 'server') return this.options.public || matchesAny(context.connection.token ?? '', this.options.tokens)
    return await this.#with(context, async (state, lease) => {
      try {
        await (state.driver.authenticate?.() ?? state.driver.ping())
        return true
      } catch (error) {
        if (this.#engine.isAuthError(error)) {
          lease.evict()
          return false
        }
        if (this.#engine.isBusy?.(error) === true) throw sourceBusy(error)
        throw new ERR_SOURCE_UNAVAILABLE({ cause: error })
      }
    })
  }

  async #catalog (state: PoolState, log: Logger): Promise<Map<string, SqlTable>> {
    const now = Date.now()
    if (state.catalog === undefined || state.catalog.until <= now) {
      const tables = state.driver.introspect(log).then((rows) => tablesFromCatalog(this.#engine, this.options, rows, log))
      state.catalog = { until: now + this.options.catalogMs, tables }
      tables.catch(() => { state.catalog = undefined })
    }
    return await state.catalog.tables
  }

  async #table (state: PoolState, code: string, log: Logger): Promise<SqlTable | undefined> {
    if (this.options.datasets.some((dataset) => dataset.name === code)) {
      const now = Date.now()
      let cached = state.datasets.get(code)
      if (cached === undefined || cached.until <= now) {
        const table = datasetTable(this.#engine, this.options, state.driver, code, log)
        cached = { until: now + this.options.catalogMs, table }
        state.datasets.set(code, cached)
        table.catch(() => state.datasets.delete(code))
      }
      return await cached.table
    }
    return (await this.#catalog(state, log)).get(code)
  }

  async listTables (_search: string, context: RequestContext): Promise<TableInfo[]> {
    return await this.#with(context, async (state) => {
      const tables = [...(await this.#catalog(state, context.log)).values()].map(({ code, title }) => ({ code, title }))
      const datasets = this.options.datasets.map((dataset) => ({ code: dataset.name, title: dataset.title ?? dataset.name }))
      return [...datasets, ...tables.filter((table) => !datasets.some((dataset) => dataset.code === table.code))]
    })
  }

  async describeTable (table: string, context: RequestContext): Promise<FieldInfo[] | undefined> {
    return await this.#with(context, async (state) => {
      const described = await this.#table(state, table, context.log)
      if (described === undefined) state.described.delete(table)
      else state.described.set(table, described)
      return described?.columns.map((column) => column.field)
    })
  }

  /**
   * Select, filter and limit run in the database, except conditions on columns the engine cannot compare exactly
   * (or whose type was overridden to another family): looked up in the description this request's pool gave last
   * (the runtime describes before it plans); a column not found there is left to the runtime.
   */
  override capabilities (): Capabilities {
    return {
      limit: true,
      filter: (field, _op, { table, context }) => {
        const key = this.options.mode === 'server' ? 'server' : this.#portalPool(context.connection).key
        const column = field.source ?? field.code
        return this.#pools.peek(key)?.described.get(table)?.columns.find((candidate) => candidate.column === column)?.pushdown === true
      }
    }
  }

  async * readRows (plan: ReadPlan, context: RequestContext): AsyncGenerator<Row[]> {
    yield * this.#read(plan, context, (driver, statement, table) => this.#rowsOf(driver, statement, utcPositions(table, plan), plan, context))
  }

  /**
   * The engine's bulk text export (`textExport`) turned into answer bytes by `TextRowsEncoder`, when the engine has
   * one; a statement it cannot export is answered from the rows, written by the plan's formatters.
   */
  override readEncoded (plan: EncodePlan, context: RequestContext): AsyncIterable<EncodedRows> | undefined {
    const exporter = this.#engine.textExport
    if (exporter === undefined) return undefined
    return this.#read(plan, context, (driver, statement, table) => {
      const utc = utcPositions(table, plan)
      const exported = exporter(statement, planReadings(table, plan))
      return exported === undefined
        ? this.#formattedRows(driver, statement, utc, plan, context)
        : this.#encodedText(driver, exported, utc, plan, context)
    })
  }

  async * #rowsOf (driver: SqlDriver, statement: SqlStatement, utc: number[], plan: ReadPlan, context: RequestContext): AsyncGenerator<unknown[][]> {
    for await (const batch of driver.stream(statement, this.#streamOptions(plan, context))) {
      markUtc(batch, utc)
      yield batch
    }
  }

  async * #formattedRows (driver: SqlDriver, statement: SqlStatement, utc: number[], plan: EncodePlan, context: RequestContext): AsyncGenerator<EncodedRows> {
    let number = 0
    for await (const batch of this.#rowsOf(driver, statement, utc, plan, context)) {
      let text = ''
      for (const row of batch) text += ',' + formatRow(row, plan.formatters, ++number)
      yield { bytes: text, rows: batch.length }
    }
  }

  async * #encodedText (driver: SqlDriver, exported: SqlTextExport, utc: number[], plan: EncodePlan, context: RequestContext): AsyncGenerator<EncodedRows> {
    const encoder = new TextRowsEncoder({ ...plan, utcColumns: new Set(utc), jsNumbers: new Set(exported.jsNumbers) })
    for await (const chunk of driver.streamText!(exported.statement, this.#streamOptions(plan, context))) {
      const rows = encoder.push(chunk)
      if (rows !== undefined) yield rows
    }
    encoder.end()
  }

  #streamOptions (plan: ReadPlan, context: RequestContext): { signal: AbortSignal, timeoutMs: number, batchSize: number, log: Logger } {
    return { signal: plan.signal, timeoutMs: this.options.timeoutMs, batchSize: this.options.batchSize, log: context.log }
  }

  /** One read: a pooled connection, the table, its statement; the engine's errors coded (timeout, busy). */
  async * #read<T> (
    plan: ReadPlan,
    context: RequestContext,
    produce: (driver: SqlDriver, statement: SqlStatement, table: SqlTable) => AsyncIterable<T>
  ): AsyncGenerator<T> {
    const lease = await this.#lease(context.connection)
    let release: (() => void) | undefined
    try {
      release = await lease.pool.gate.acquire()
      const table = await this.#table(lease.pool, plan.table, context.log)
      if (table === undefined) return
      const statement = readStatement(this.#engine, table, plan)
      context.log.debug({ table: plan.table, sql: statement.sql }, 'sql read')
      yield * produce(lease.pool.driver, statement, table)
    } catch (error) {
      if (plan.signal.aborted) throw plan.signal.reason
      if (!isB24biError(error) && this.#engine.isTimeout(error)) throw new ERR_QUERY_TIMEOUT(String(this.options.timeoutMs / 1000), { cause: error })
      throw this.#busy(error)
    } finally {
      release?.()
      lease.release()
    }
  }

  /**
   * Server mode: a trivial query through a one-connection probe pool of its own, never the data pool, so a replica
   * whose pool is busy streaming still answers `/ready`. Portal mode: true (each portal brings its own database).
   */
  override async ready (): Promise<boolean> {
    if (this.options.mode === 'portal') return true
    this.#probe ??= this.#engine.connect({ url: this.options.url }, { timeoutMs: PROBE_TIMEOUT_MS, poolSize: 1 })
    try {
      await this.#probe.ping()
      return true
    } catch {
      return false
    }
  }

  /** Closes every pool. */
  override async close (): Promise<void> {
    const probe = this.#probe
    this.#probe = undefined
    await Promise.all([this.#pools.close(), probe?.close()])
  }
}
