import { randomUUID } from 'node:crypto'
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client'
import type { SqlCatalog, SqlDriver, SqlQueryColumn, SqlStatement, SqlStreamOptions, SqlTarget } from '../sql/sql-driver.js'
import { clickhouseString } from './clickhouse-literal.js'
import { unwrapClickhouseType } from './clickhouse-types.js'

// Column order is the table's: system.columns lists each table's columns in declaration order (18.x has no `position`).
const CATALOG = "SELECT database AS schema, table, name AS column, type AS data_type FROM system.columns WHERE database != 'system'"

interface Connection { url: string, username: string, password: string, database: string }

function connectionOf (target: SqlTarget): Connection {
  if (target.url === undefined) {
    return { url: `http://${target.host!.includes(':') ? `[${target.host}]` : target.host}:${target.port}`, username: target.user ?? 'default', password: target.password ?? '', database: target.database ?? 'default' }
  }
  const url = new URL(target.url)
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'default'
  return { url: url.origin, username: decodeURIComponent(url.username) || 'default', password: decodeURIComponent(url.password), database }
}

/**
 * `@clickhouse/client` over HTTP: JSONEachRow with 64-bit integers quoted, `max_execution_time` per read,
 * a cancelled read aborts its request and runs `KILL QUERY` for its query id. Works with ClickHouse 18.16
 * (no parameter binding there: statements come with every value inlined, see `clickhouseLiteral`).
 */
export class ClickHouseDriver implements SqlDriver {
  readonly #client: ClickHouseClient
  readonly #database: string

  constructor (target: SqlTarget, options: { timeoutMs: number, poolSize: number }) {
    const connection = connectionOf(target)
    this.#database = connection.database
    this.#client = createClient({
      ...connection,
      application: 'b24bi',
      // Failures reach the adapter as errors and are logged once by the runtime, with secrets redacted.
      log: { level: ClickHouseLogLevel.OFF },
      request_timeout: Math.ceil(options.timeoutMs) + 10_000,
      max_open_connections: options.poolSize,
      // Progress headers keep a long read's connection alive through proxies that close idle ones.
      // Values are inlined (no binding in 18.x): a long IN list (the 1 MiB body holds 70,000 and more) needs a larger
      // statement and syntax tree than the defaults (256 KiB, 50,000 elements).
      clickhouse_settings: {
        output_format_json_quote_64bit_integers: 1,
        send_progress_in_http_headers: 1,
        http_headers_progress_interval_ms: '110000',
        max_query_size: '16777216',
        max_ast_elements: '1000000',
        max_expanded_ast_elements: '1000000'
      }
    })
  }

  async #rows<T> (query: string): Promise<T[]> {
    const result = await this.#client.query({ query, format: 'JSONEachRow' })
    return await result.json<T>()
  }

  async introspect (): Promise<SqlCatalog> {
    const rows = await this.#rows<{ schema: string, table: string, column: string, data_type: string }>(CATALOG)
    return {
      defaultSchema: this.#database,
      columns: rows.map((row) => ({ schema: row.schema, table: row.table, column: row.column, dataType: unwrapClickhouseType(row.data_type) }))
    }
  }

  async describeQuery (sql: string): Promise<SqlQueryColumn[]> {
    const result = await this.#client.query({ query: `SELECT * FROM (${sql}) LIMIT 0`, format: 'JSON' })
    const { meta } = await result.json<unknown>()
    return (meta ?? []).map((column) => ({ column: column.name, dataType: unwrapClickhouseType(column.type) }))
  }

  async * stream (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<unknown[][]> {
    const queryId = randomUUID()
    const abort = new AbortController()
    let done = false
    const onAbort = (): void => abort.abort(options.signal.reason)
    options.signal.addEventListener('abort', onAbort, { once: true })
    try {
      const result = await this.#client.query({
        query: statement.sql,
        format: 'JSONEachRow',
        query_id: queryId,
        abort_signal: abort.signal,
        clickhouse_settings: { max_execution_time: Math.max(1, Math.ceil(options.timeoutMs / 1000)) }
      })
      let batch: unknown[][] = []
      for await (const rows of result.stream()) {
        for (const row of rows) {
          batch.push(Object.values(row.json<Record<string, unknown>>()))
          if (batch.length < options.batchSize) continue
          yield batch
          batch = []
        }
      }
      if (batch.length > 0) yield batch
      done = true
    } finally {
      options.signal.removeEventListener('abort', onAbort)
      if (!done) await this.#kill(queryId, abort, options)
    }
  }

  // Closing the request alone does not stop an 18.x server's query until it next writes: kill it by id.
  async #kill (queryId: string, abort: AbortController, options: SqlStreamOptions): Promise<void> {
    abort.abort()
    try {
      await this.#client.command({ query: `KILL QUERY WHERE query_id = ${clickhouseString(queryId)}` })
    } catch (error) {
      options.log.warn({ err: error }, 'clickhouse: KILL QUERY failed')
    }
  }

  async ping (): Promise<void> {
    await this.#rows('SELECT 1')
  }

  async close (): Promise<void> {
    await this.#client.close()
  }
}

export { isClickhouseAuthError, isClickhouseTimeout } from './clickhouse-errors.js'
