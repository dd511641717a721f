import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import qs from 'qs'
import { PostgresAdapter } from '../../adapters/postgres/index.js'
import type { Adapter } from '../../src/core/adapter.js'
import { buildServer, type ServerOptions } from '../../src/server/index.js'
import { POSTGRES } from '../helpers/services.js'

/** The token the test servers accept; a test greps answers and logs for it. */
export const PG_TOKEN = 'pg-stream-secret-5b1e'

/** Rows of the large test table: enough that an answer is many socket buffers long. */
export const LARGE_ROWS = 300_000

/** Rows of the small `b24bi_inject` table (ID, TITLE 'Company <i>', AMOUNT). */
export const INJECT_ROWS = 50

/** A table of `LARGE_ROWS` rows, a view failing half way (division by zero) and `b24bi_inject`, created once and kept. */
export async function ensurePgTables (pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    // Test files run in parallel: one creates, the others wait on the lock.
    await client.query("SELECT pg_advisory_lock(hashtext('b24bi_stream_tables'))")
    await client.query(`CREATE TABLE IF NOT EXISTS b24bi_stream_large AS
      SELECT i::bigint AS id, 'row ' || i AS title, (i % 1000) / 7.0 AS amount, DATE '2025-01-01' + (i % 365) AS day
      FROM generate_series(1, ${LARGE_ROWS}) AS s(i)`)
    await client.query(`CREATE OR REPLACE VIEW b24bi_stream_fails AS
      SELECT i::bigint AS id, 1 / (${LARGE_ROWS / 2} - i) AS x FROM generate_series(1, ${LARGE_ROWS}) AS s(i)`)
    await client.query(`CREATE TABLE IF NOT EXISTS b24bi_inject AS
      SELECT i::bigint AS id, 'Company ' || i AS title, i * 1.5 AS amount FROM generate_series(1, ${INJECT_ROWS}) AS s(i)`)
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('b24bi_stream_tables'))").catch(() => {})
    client.release()
  }
}

/** A pool on the test database (`POSTGRES` of test/helpers/services.ts). */
export function testPool (): pg.Pool {
  return new pg.Pool({ connectionString: POSTGRES.url, max: 3 })
}

/** The PostgreSQL URL of the test database. */
export function pgUrl (): string {
  return POSTGRES.url
}

/** The adapter the PostgreSQL streaming, fault and injection tests use: `b24bi/postgres` serving `tables`. */
export const PG_ADAPTER: { name: string, create: (tables: readonly string[], url?: string) => Adapter } = {
  name: 'b24bi/postgres',
  create: (tables, url = pgUrl()) => new PostgresAdapter({ url, token: PG_TOKEN, exposure: { tables: { allow: [...tables] } }, poolSize: 20 })
}

/** A server listening on a loopback port, its captured log lines and base URL. */
export interface LiveServer {
  app: FastifyInstance
  url: string
  port: number
  logs: string[]
}

/** Starts the connector on 127.0.0.1:0 with every log line captured (level debug, the server's own redaction). */
export async function liveServer (adapter: Adapter, options: Partial<ServerOptions> = {}): Promise<LiveServer> {
  const logs: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { logs.push(String(chunk)); done() } })
  const app = await buildServer({ adapter, logger: { level: 'debug', stream }, ...options })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { app, url: `http://127.0.0.1:${port}`, port, logs }
}

/** A portal-shaped form body. */
export function formBody (body: Record<string, unknown>): string {
  return qs.stringify(body, { arrayFormat: 'indices' })
}

/** What a client saw of an answer: status, the bytes it got, and whether the transfer broke. */
export interface SeenAnswer {
  status: number
  body: string
  broken: boolean
  headers: Record<string, string | string[] | undefined>
}

/** POSTs a form body and reads the answer to the end or to the break, never throwing for a broken transfer. */
export async function postForm (url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<SeenAnswer> {
  const { request } = await import('undici')
  const answer = await request(url, {
    method: 'POST',
    body: formBody(body),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }
  })
  const chunks: Buffer[] = []
  let broken = false
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) chunks.push(chunk)
  } catch {
    broken = true
  }
  return { status: answer.statusCode, body: Buffer.concat(chunks).toString('utf8'), broken, headers: answer.headers }
}

/** True when `text` parses as JSON. */
export function isJson (text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
