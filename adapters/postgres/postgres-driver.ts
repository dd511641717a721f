import pg from 'pg'
import Cursor from 'pg-cursor'
import { to as copyTo } from 'pg-copy-streams'
import { abortable } from '../sql/abortable.js'
import type { SqlCatalog, SqlDriver, SqlQueryColumn, SqlStatement, SqlStreamOptions, SqlTarget } from '../sql/sql-driver.js'

// Every value as the server prints it: int8 and numeric keep their digits, dates and timestamps do not shift.
const identity = (value: string): string => value
const RAW_TYPES = { getTypeParser: (() => identity) as unknown as typeof pg.types.getTypeParser }

const CATALOG = `SELECT n.nspname AS schema, c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS data_type
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY n.nspname, c.relname, a.attnum`

/**
 * A `pg` pool; rows stream through `pg-cursor`, text exports through `pg-copy-streams`; a cancelled read runs
 * `pg_cancel_backend` and drops the connection.
 */
export class PostgresDriver implements SqlDriver {
  readonly #config: pg.PoolConfig
  readonly #pool: pg.Pool

  constructor (target: SqlTarget, options: { timeoutMs: number, poolSize: number }) {
    const where = target.url !== undefined
      ? { connectionString: target.url }
      : { host: target.host, port: target.port, database: target.database, user: target.user, password: target.password }
    this.#config = {
      ...where,
      max: options.poolSize,
      idleTimeoutMillis: 30_000,
      // Waiting for a free connection is normal under load: wait up to the statement timeout (at most 60 s).
      connectionTimeoutMillis: Math.min(Math.ceil(options.timeoutMs), 60_000),
      statement_timeout: Math.ceil(options.timeoutMs),
      application_name: 'b24bi',
      options: '-c TimeZone=UTC',
      types: RAW_TYPES
    }
    this.#pool = new pg.Pool(this.#config)
    // An idle connection the server closed must not crash the process; the pool replaces it.
    this.#pool.on('error', () => {})
  }

  async introspect (): Promise<SqlCatalog> {
    const { rows } = await this.#pool.query<{ schema: string, table: string, column: string, data_type: string }>(CATALOG)
    const current = await this.#pool.query<{ schema: string | null }>('SELECT current_schema() AS schema')
    return {
      defaultSchema: current.rows[0]?.schema ?? 'public',
      columns: rows.map((row) => ({ schema: row.schema, table: row.table, column: row.column, dataType: row.data_type }))
    }
  }

  async describeQuery (sql: string): Promise<SqlQueryColumn[]> {
    const { fields } = await this.#pool.query(`SELECT * FROM (${sql}) AS q LIMIT 0`)
    const { rows } = await this.#pool.query<{ name: string }>(
      'SELECT format_type(t.oid, t.mod) AS name FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS t(oid, mod, i) ORDER BY t.i',
      [fields.map((field) => field.dataTypeID), fields.map((field) => field.dataTypeModifier)]
    )
    return fields.map((field, index) => ({ column: field.name, dataType: rows[index]!.name }))
  }

  async * stream (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<unknown[][]> {
    const client = await this.#pool.connect()
    // A connection dropped mid-read makes pg emit 'error' on the client: without a listener the process dies.
    // The pending read rejects with the same error, so the listener only has to exist.
    const onClientError = (): void => {}
    client.on('error', onClientError)
    const cursor = client.query(new Cursor(statement.sql, [...statement.parameters], { rowMode: 'array', types: RAW_TYPES }))
    let failed = false
    async function * batches (): AsyncGenerator<unknown[][]> {
      while (true) {
        const rows = await cursor.read(options.batchSize) as unknown[][]
        if (rows.length === 0) return
        yield rows
      }
    }
    try {
      // An abort ends the iteration at once; the query is cancelled below.
      yield * abortable(batches(), options.signal)
    } catch (error) {
      failed = true
      throw error
    } finally {
      if (options.signal.aborted) {
        await this.#cancel((client as unknown as { processID: number }).processID, options)
        failed = true
      } else if (!failed) {
        // Finished, or stopped early by the caller: the cursor is idle and closes cleanly.
        await cursor.close().catch(() => { failed = true })
      }
      client.off('error', onClientError)
      client.release(failed ? true : undefined)
    }
  }

  /**
   * A `COPY ... TO STDOUT` as its raw bytes, read as the consumer asks (the socket pauses in between). A read that
   * ends early (the caller stopped, the signal aborted) cancels the query and drops its connection: a COPY cannot
   * be left half read.
   */
  async * streamText (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<Uint8Array> {
    const client = await this.#pool.connect()
    const onClientError = (): void => {}
    client.on('error', onClientError)
    const copy = client.query(copyTo(statement.sql))
    let complete = false
    try {
      yield * abortable(copy, options.signal)
      complete = true
    } finally {
      if (!complete) {
        copy.destroy()
        await this.#cancel((client as unknown as { processID: number }).processID, options)
      }
      client.off('error', onClientError)
      client.release(complete ? undefined : true)
    }
  }

  // A separate connection: the pool may be exhausted by the very reads being cancelled.
  async #cancel (pid: number, options: SqlStreamOptions): Promise<void> {
    const client = new pg.Client({ ...this.#config, statement_timeout: 10_000 })
    try {
      await client.connect()
      await client.query('SELECT pg_cancel_backend($1)', [pid])
    } catch (error) {
      options.log.warn({ err: error }, 'postgres: cancelling a query failed; its connection is dropped instead')
    } finally {
      await client.end().catch(() => {})
    }
  }

  async ping (): Promise<void> {
    await this.#pool.query('SELECT 1')
  }

  async authenticate (): Promise<void> {
    const { max: _max, idleTimeoutMillis: _idle, ...single } = this.#config
    const client = new pg.Client(single)
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
    } finally {
      await client.end().catch(() => {})
    }
  }

  async close (): Promise<void> {
    await this.#pool.end()
  }
}

export { isPostgresAuthError, isPostgresBusy, isPostgresTimeout } from './postgres-errors.js'
