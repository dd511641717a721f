import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type Row } from '@clickhouse/client'
import type { SqlCatalog, SqlDriver, SqlQueryColumn, SqlStatement, SqlStreamOptions, SqlTarget } from '../sql/sql-driver.js'
import { clickhouseString } from './clickhouse-literal.js'
import { unwrapClickhouseType } from './clickhouse-types.js'

// Column order is the table's: system.columns lists each table's columns in declaration order (18.x has no `position`).
const CATALOG = "SELECT database AS schema, table, name AS column, type AS data_type FROM system.columns WHERE database != 'system'"

interface Connection { url: string, username: string, password: string, database: string }

/** How long the rest of a response a reader stopped reading may take to drain before its query is killed instead. */
const DRAIN_MS = 1000

/**
 * Ends a read its reader stopped early (not aborted): drains what is left of the response when that is at most
 * `most` rows and comes within DRAIN_MS. True when the response ended, so its keep-alive connection is reused.
 */
async function drained (rows: Readable, most: number): Promise<boolean> {
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
    const onData = (chunk: readonly Row[]): void => {
      left -= chunk.length
      if (left < 0) finish(false)
    }
    const onEnd = (): void => finish(true)
    const onFail = (): void => finish(false)
    const timer = setTimeout(onFail, DRAIN_MS)
    rows.on('data', onData).once('end', onEnd).once('error', onFail).once('close', onFail)
    rows.resume()
  })
}

function connectionOf (target: SqlTarget): Connection {
  if (target.url === undefined) {
    return { url: `http://${target.host!.includes(':') ? `[${target.host}]` : target.host}:${target.port}`, username: target.user ?? 'default', password: target.password ?? '', database: target.database ?? 'default' }
  }
  const url = new URL(target.url)
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'default'
  return { url: url.origin, username: decodeURIComponent(url.username) || 'default', password: decodeURIComponent(url.password), database }
}

/**
 * `@clickhouse/client` over HTTP: rows as JSONEachRow with 64-bit integers quoted, text exports as the raw
 * TabSeparated bytes, `max_execution_time` per read, a cancelled read aborts its request and runs `KILL QUERY` for its
 * query id; a row read its reader stopped early with at most a batch left drains it and keeps its keep-alive
 * connection. Works with ClickHouse 18.16
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
    let ended = false
    let rows: Readable | undefined
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
      rows = result.stream()
      // Not destroyed when the reader stops early: the rest of a short response may then be drained and its
      // keep-alive connection kept.
      const chunks = rows.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Row[]>
      let batch: unknown[][] = []
      for await (const chunk of chunks) {
        for (const row of chunk) {
          batch.push(Object.values(row.json<Record<string, unknown>>()))
          if (batch.length < options.batchSize) continue
          yield batch
          batch = []
        }
      }
      ended = true
      if (batch.length > 0) yield batch
    } finally {
      options.signal.removeEventListener('abort', onAbort)
      // A response read to its end needs nothing more: its connection is back in the pool, its query over. One the
      // reader stopped early (the runtime at its limit, often a few rows short of the end) is drained when little is
      // left of it: a kill would cost a KILL request and, mid-response, the keep-alive connection.
      const finished = ended || (!options.signal.aborted && rows !== undefined && await drained(rows, options.batchSize))
      if (!finished) await this.#kill(queryId, abort, options)
    }
  }

  /**
   * A `FORMAT TabSeparated` statement (the engine's `textExport`) as its raw response bytes. The read is cancelled
   * as `stream`'s is: the request aborted and the query killed by its id. An error after the first byte is written
   * by ClickHouse into the body as a last line (`Code: 159, e.displayText() = …`): that line is held back until the
   * response ends and thrown as the error it reports, never handed on as a row.
   */
  async * streamText (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<Uint8Array> {
    const queryId = randomUUID()
    const abort = new AbortController()
    let done = false
    const onAbort = (): void => abort.abort(options.signal.reason)
    options.signal.addEventListener('abort', onAbort, { once: true })
    try {
      const { stream } = await this.#client.exec({
        query: statement.sql,
        query_id: queryId,
        abort_signal: abort.signal,
        clickhouse_settings: { max_execution_time: Math.max(1, Math.ceil(options.timeoutMs / 1000)) }
      })
      yield * withoutErrorLine(stream as AsyncIterable<Buffer>)
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

const NEWLINE = 10
// The text ClickHouse writes into a response whose status was already sent: `Code: N, e.displayText() = …` (18.x)
// or `Code: N. DB::Exception: …` (later versions).
const ERROR_LINE = /^Code: \d+(?:, e\.displayText\(\) = |\. )\S*Exception/

/**
 * The response's bytes, its last line held back until the response ends: when that line is the error ClickHouse
 * writes after the first byte, it is thrown (its message keeps the code, so a timeout is told apart); else handed on.
 * Chunks are passed on whole up to their second-to-last newline: the held line is never more than one row.
 */
export async function * withoutErrorLine (source: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  // `line`: the last complete line seen (with its newline); `rest`: what follows it, a row not yet ended.
  let line: Buffer[] = []
  let rest: Buffer[] = []
  for await (const chunk of source) {
    const last = chunk.lastIndexOf(NEWLINE)
    if (last === -1) {
      rest.push(chunk)
      continue
    }
    const before = last === 0 ? -1 : chunk.lastIndexOf(NEWLINE, last - 1)
    if (before === -1) {
      if (line.length > 0) yield Buffer.concat(line)
      line = [...rest, chunk.subarray(0, last + 1)]
    } else {
      // The held line joined with the row it began, then the chunk as it is: a chunk is not copied.
      if (line.length + rest.length > 0) yield Buffer.concat([...line, ...rest])
      yield chunk.subarray(0, before + 1)
      line = [chunk.subarray(before + 1, last + 1)]
    }
    rest = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : []
  }
  // A response that does not end on a newline: the complete line is a row, the text after it the last line.
  if (rest.length > 0 && line.length > 0) yield Buffer.concat(line)
  const held = Buffer.concat(rest.length > 0 ? rest : line)
  if (ERROR_LINE.test(held.toString('latin1', 0, 80))) throw new Error(held.toString('utf8').trim())
  if (held.length > 0) yield held
}

export { isClickhouseAuthError, isClickhouseTimeout } from './clickhouse-errors.js'
