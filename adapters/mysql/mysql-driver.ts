import type { Readable } from 'node:stream'
import mysql from 'mysql2'
import type { FieldPacket, Pool, PoolConnection, PoolOptions, PrepareStatementInfo } from 'mysql2'
import type { SqlCatalog, SqlDriver, SqlQueryColumn, SqlStatement, SqlStreamOptions, SqlTarget } from '../sql/sql-driver.js'
import { abortable } from '../sql/abortable.js'
import { MYSQL_TYPE_CODES } from './mysql-types.js'

const CATALOG = `SELECT c.TABLE_SCHEMA AS \`schema\`, c.TABLE_NAME AS \`table\`, c.COLUMN_NAME AS \`column\`, CAST(c.COLUMN_TYPE AS CHAR) AS data_type
FROM information_schema.COLUMNS c
WHERE c.TABLE_SCHEMA NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys')
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`

const BINARY_CHARSET = 63

/** How long the rest of a result a reader stopped reading may take to drain before its query is killed instead. */
const DRAIN_MS = 1000

/**
 * Ends a read its reader stopped early (not aborted): drains what is left of the result when that is at most
 * `most` rows and comes within DRAIN_MS. True when the result ended, so the connection can be reused.
 */
async function stopped (source: AsyncGenerator<unknown>, rows: Readable, most: number): Promise<boolean> {
  await source.return(undefined).catch(() => {})
  if (rows.readableEnded) return true
  if (rows.destroyed) return false
  return await new Promise<boolean>((resolve) => {
    let left = most
    const finish = (ended: boolean): void => {
      clearTimeout(timer)
      rows.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onFail)
      if (!ended) rows.pause()
      resolve(ended)
    }
    const onData = (): void => { if (--left < 0) finish(false) }
    const onEnd = (): void => finish(true)
    const onFail = (): void => finish(false)
    const timer = setTimeout(onFail, DRAIN_MS)
    rows.on('data', onData).once('end', onEnd).once('error', onFail).once('close', onFail)
    rows.resume()
  })
}

/**
 * A `mysql2` pool: BIGINT and DECIMAL as strings, dates and JSON as strings, session time zone UTC; reads stream
 * with `query().stream()`; a statement timeout per read (MariaDB `SET STATEMENT max_statement_time`, MySQL the
 * `MAX_EXECUTION_TIME` hint); a cancelled read runs `KILL QUERY` on its thread and drops the connection.
 */
export class MysqlDriver implements SqlDriver {
  readonly #config: PoolOptions
  readonly #pool: Pool
  readonly #timeoutMs: number
  #flavor: Promise<'mariadb' | 'mysql'> | undefined

  constructor (target: SqlTarget, options: { timeoutMs: number, poolSize: number }) {
    const where = target.url !== undefined
      ? { uri: target.url }
      : { host: target.host, port: target.port, database: target.database, user: target.user, password: target.password }
    this.#timeoutMs = options.timeoutMs
    this.#config = {
      ...where,
      connectionLimit: options.poolSize,
      maxIdle: options.poolSize,
      idleTimeout: 30_000,
      connectTimeout: 10_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      decimalNumbers: false,
      // JSON as the server's text, not parsed and re-serialised: a filter compares the stored text (MariaDB's JSON is
      // a LONGTEXT), so the answer must show that same text or a value the portal shows would filter to nothing.
      jsonStrings: true,
      charset: 'utf8mb4',
      timezone: 'Z'
    }
    this.#pool = mysql.createPool(this.#config)
    // Emitted before the connection is handed out, so this runs before any read on it.
    this.#pool.on('connection', (connection) => { connection.query("SET time_zone = '+00:00'") })
  }

  async #query<T> (sql: string, values: unknown[] = []): Promise<T[]> {
    return await new Promise((resolve, reject) => {
      this.#pool.query({ sql, values }, (error, rows) => error === null ? resolve(rows as T[]) : reject(error))
    })
  }

  async introspect (): Promise<SqlCatalog> {
    const rows = await this.#query<{ schema: string, table: string, column: string, data_type: string }>(CATALOG)
    const [current] = await this.#query<{ name: string | null }>('SELECT DATABASE() AS name')
    return {
      defaultSchema: current?.name ?? '',
      columns: rows.map((row) => ({ schema: row.schema, table: row.table, column: row.column, dataType: row.data_type }))
    }
  }

  // A prepared statement describes its columns without running: a derived table would be materialized by LIMIT 0.
  async describeQuery (sql: string): Promise<SqlQueryColumn[]> {
    const connection = await this.#connection()
    try {
      const prepared = await new Promise<PrepareStatementInfo>((resolve, reject) => {
        connection.prepare(sql, (error, statement) => error === null ? resolve(statement) : reject(error))
      })
      const columns = (prepared as PrepareStatementInfo & { columns: FieldPacket[] }).columns.map((field) => {
        const name = MYSQL_TYPE_CODES[field.columnType ?? -1] ?? 'unknown'
        const binary = field.characterSet === BINARY_CHARSET && /char|blob/.test(name)
        return { column: field.name, dataType: binary ? name.replace('char', 'binary') : name }
      })
      prepared.close()
      return columns
    } finally {
      connection.release()
    }
  }

  async #timed (sql: string): Promise<string> {
    this.#flavor ??= this.#query<{ version: string }>('SELECT VERSION() AS version')
      .then(([row]) => /mariadb/i.test(row?.version ?? '') ? 'mariadb' as const : 'mysql' as const)
      .catch((error: unknown) => { this.#flavor = undefined; throw error })
    if (await this.#flavor === 'mariadb') return `SET STATEMENT max_statement_time = ${this.#timeoutMs / 1000} FOR ${sql}`
    return sql.replace(/^select\b/i, `SELECT /*+ MAX_EXECUTION_TIME(${Math.ceil(this.#timeoutMs)}) */`)
  }

  async #connection (): Promise<PoolConnection> {
    return await new Promise((resolve, reject) => this.#pool.getConnection((error, connection) => error === null ? resolve(connection) : reject(error)))
  }

  async * stream (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<unknown[][]> {
    const sql = await this.#timed(statement.sql)
    const connection = await this.#connection()
    let done = false
    const rows = connection.query({ sql, values: [...statement.parameters], rowsAsArray: true }).stream({ highWaterMark: options.batchSize })
    // Not destroyed when the reader stops early: what is left of it may then be drained and the connection kept.
    const iterator = rows.iterator({ destroyOnReturn: false })
    async function * batches (): AsyncGenerator<unknown[][]> {
      let batch: unknown[][] = []
      for await (const row of { [Symbol.asyncIterator]: () => iterator }) {
        batch.push(row as unknown[])
        if (batch.length < options.batchSize) continue
        yield batch
        batch = []
      }
      if (batch.length > 0) yield batch
    }
    const source = batches()
    try {
      // An abort ends the iteration at once (a destroyed mysql2 stream may never settle); the query is killed below.
      yield * abortable(source, options.signal)
      done = true
    } finally {
      if (done) {
        connection.release()
      } else if (!options.signal.aborted && await stopped(source, rows, options.batchSize)) {
        // The reader had what it wanted (the runtime stops at the limit, often one row short of the end): the
        // connection is kept. Killing it cost two server connections per limited read.
        connection.release()
      } else {
        await this.#kill(connection, options)
      }
    }
  }

  // An unfinished read keeps sending rows: stop it on the server (on another connection), then drop this one.
  async #kill (connection: PoolConnection, options: SqlStreamOptions): Promise<void> {
    const { connectionLimit: _limit, maxIdle: _idle, idleTimeout: _timeout, ...single } = this.#config
    const killer = mysql.createConnection(single)
    await new Promise<void>((resolve) => {
      killer.query(`KILL QUERY ${Number(connection.threadId)}`, (error) => {
        if (error !== null) options.log.warn({ err: error }, 'mysql: KILL QUERY failed; the connection is dropped instead')
        resolve()
      })
    })
    killer.destroy()
    connection.destroy()
  }

  async ping (): Promise<void> {
    await this.#query('SELECT 1')
  }

  async authenticate (): Promise<void> {
    const { connectionLimit: _limit, maxIdle: _idle, idleTimeout: _timeout, ...single } = this.#config
    const connection = mysql.createConnection(single)
    connection.on('error', () => {})
    try {
      await new Promise<void>((resolve, reject) => connection.query('SELECT 1', (error) => error === null ? resolve() : reject(error)))
    } finally {
      connection.destroy()
    }
  }

  async close (): Promise<void> {
    await new Promise<void>((resolve) => this.#pool.end(() => resolve()))
  }
}

export { isMysqlAuthError, isMysqlBusy, isMysqlTimeout } from './mysql-errors.js'
