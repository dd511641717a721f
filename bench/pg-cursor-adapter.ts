import pg from 'pg'
import Cursor from 'pg-cursor'
import { sql } from 'kysely'
import { Adapter, type Capabilities, type ReadPlan, type RequestContext, type Row, type Setting } from '../src/adapter.js'
import type { FieldInfo, FieldType, TableInfo } from '../src/field-types.js'
import { safeEqual } from '../src/secrets.js'
import { compileFilter } from '../adapters/sql/compile-filter.js'
import { postgresEngine } from '../adapters/postgres/postgres-engine.js'

/** Options of the benchmark's PostgreSQL adapter. */
export interface PgCursorAdapterOptions {
  /** pg pool options (host, port, user, database...). */
  pool: pg.PoolConfig
  /** The value the portal must send as the `token` setting; none: everyone is accepted. */
  token?: string
  /** The tables served (schema `public`); the others are invisible. */
  tables: readonly string[]
  /** Rows fetched per cursor read. Default 2000. */
  batchRows?: number
}

const TYPES: Record<string, FieldType> = {
  smallint: 'int', integer: 'int', bigint: 'int',
  numeric: 'money', real: 'double', 'double precision': 'double',
  date: 'date', 'timestamp without time zone': 'datetime', 'timestamp with time zone': 'datetime'
}

// Every value as PostgreSQL's text: int8 and numeric keep every digit, dates never shift, and no parsing cost.
const rawText: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig

/**
 * A small PostgreSQL adapter on `pg` + `pg-cursor` for the benchmark and the streaming and fault tests
 * (written before the real `b24bi/postgres` adapter landed): server-side cursor, raw text values, filter and
 * limit pushed down through the shared filter compiler, and the query cancelled (`pg_cancel_backend`)
 * when the plan's signal aborts.
 */
export class PgCursorAdapter extends Adapter {
  override readonly settings: readonly Setting[]
  readonly #options: PgCursorAdapterOptions
  #pool: pg.Pool | undefined

  constructor (options: PgCursorAdapterOptions) {
    super()
    this.#options = { ...options }
    this.settings = options.token === undefined ? [] : [{ code: 'token', name: 'Access token', type: 'STRING', secret: true }]
  }

  /** The pool, for tests that look at `pg_stat_activity`. */
  get pool (): pg.Pool {
    return this.#pool!
  }

  override async init (): Promise<void> {
    this.#pool = new pg.Pool({ max: 20, ...this.#options.pool, types: rawText })
    this.#pool.on('error', () => {}) // an idle client lost with the server: the next checkout opens a new one
  }

  override async check ({ connection }: RequestContext): Promise<boolean> {
    const expected = this.#options.token
    return expected === undefined || safeEqual(connection.token ?? '', expected)
  }

  async listTables (): Promise<TableInfo[]> {
    return this.#options.tables.map((code) => ({ code, title: code }))
  }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    if (!this.#options.tables.includes(table)) return undefined
    const { rows } = await this.#pool!.query<{ column_name: string, data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, [table])
    if (rows.length === 0) return undefined
    return rows.map((row) => ({
      code: row.column_name.toUpperCase(),
      source: row.column_name,
      type: TYPES[row.data_type] ?? 'string',
      zoned: row.data_type === 'timestamp with time zone'
    }))
  }

  override capabilities (): Capabilities {
    return { limit: true, filter: true }
  }

  async * readRows (plan: ReadPlan): AsyncGenerator<Row[]> {
    const db = postgresEngine.builder
    let query = db.selectFrom(plan.table).select(plan.fields.map((field, index) => sql.ref(field.source ?? field.code).as(`c${index}`)))
    if (plan.filter !== undefined) query = query.where(compileFilter(plan.filter, postgresEngine, new Map(plan.tableFields.map((field) => [field.code, field]))))
    if (plan.limit !== undefined) query = query.limit(plan.limit)
    const compiled = query.compile()
    const client = await this.#pool!.connect()
    const pid = (client as unknown as { processID: number }).processID
    let running = true
    let broken: unknown
    // A checked-out client whose connection drops emits 'error': without a listener the process would die.
    const onClientError = (error: Error): void => { broken ??= error }
    client.on('error', onClientError)
    const onAbort = (): void => {
      if (running) this.#pool!.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {})
    }
    plan.signal.addEventListener('abort', onAbort, { once: true })
    try {
      const cursor = client.query(new Cursor(compiled.sql, compiled.parameters as unknown[], { rowMode: 'array' }))
      const size = this.#options.batchRows ?? 2000
      while (!plan.signal.aborted) {
        if (broken !== undefined) throw broken
        const rows = await cursor.read(size) as unknown[][]
        if (rows.length === 0) break
        yield rows
      }
      running = false
      await cursor.close()
    } catch (error) {
      broken = error
      throw plan.signal.aborted ? plan.signal.reason : error
    } finally {
      plan.signal.removeEventListener('abort', onAbort)
      if (running && broken === undefined) this.#pool!.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {})
      // A cursor left open (early return, abort) or a failed connection is not reused (and keeps its listener to the end).
      const destroy = running || broken !== undefined
      if (!destroy) client.off('error', onClientError)
      client.release(destroy ? true : undefined)
    }
  }

  override async ready (): Promise<boolean> {
    await this.#pool!.query('SELECT 1')
    return true
  }

  override async close (): Promise<void> {
    await this.#pool?.end()
    this.#pool = undefined
  }
}
