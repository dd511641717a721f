import { request as httpRequest } from 'node:http'
import t from 'tap'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import type { Adapter, EncodePlan, RequestContext } from '../../../src/core/adapter.js'
import { eventually } from '../../helpers/eventually.js'
import { ensurePgTables, LARGE_ROWS, PG_ADAPTER, PG_TOKEN, pgUrl, testPool } from '../../helpers/pg-fixture.js'
import { isJson, liveServer, postForm } from '../../helpers/live-server.js'

// What an answer promises holds when PostgreSQL writes the rows (COPY): the deadline, the stall cut, the row cap,
// coded errors before the first byte, the summary's counts. The row path's own tests are pg-stream and fair-share.

const connection = { token: PG_TOKEN }
const pool = testPool()
t.teardown(() => pool.end())
await ensurePgTables(pool)

/** The adapter, noting each read its source wrote. */
function written (adapter: Adapter): Adapter & { reads: number } {
  const state = { reads: 0 }
  const readEncoded = adapter.readEncoded!.bind(adapter)
  adapter.readEncoded = (plan: EncodePlan, context: RequestContext) => {
    const source = readEncoded(plan, context)
    if (source !== undefined) state.reads++
    return source
  }
  return Object.defineProperty(adapter, 'reads', { get: () => state.reads }) as Adapter & { reads: number }
}

async function copies (): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'COPY (%b24bi_stream_large%' AND pid <> pg_backend_pid()")
  return Number(rows[0]?.n)
}

t.test('a whole table: every row, counted in the summary line', async (t) => {
  const adapter = written(PG_ADAPTER.create(['b24bi_stream_large']))
  const server = await liveServer(adapter)
  t.teardown(() => server.app.close())
  const answer = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large' })
  t.equal(answer.status, 200)
  t.notOk(answer.broken)
  t.equal((JSON.parse(answer.body) as unknown[]).length, LARGE_ROWS + 1)
  t.equal(adapter.reads, 1, 'PostgreSQL wrote the rows')
  const line = server.logs.map((entry) => JSON.parse(entry) as { msg?: string, rows?: number, bytes?: number }).find((entry) => entry.msg?.startsWith('urlData answered') === true)
  t.equal(line?.rows, LARGE_ROWS, 'the summary counts the rows')
  t.equal(line?.bytes, Buffer.byteLength(answer.body), 'and the bytes')
})

t.test('the deadline breaks the answer, names the table in one line and cancels the COPY', async (t) => {
  const adapter = written(PG_ADAPTER.create(['b24bi_stream_large']))
  const server = await liveServer(adapter, { runtime: { deadlineSeconds: 0.05 } })
  t.teardown(() => server.app.close())
  const answer = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large' })
  t.notOk(answer.status === 200 && !answer.broken && isJson(answer.body), `not a complete answer (status ${answer.status}, ${answer.body.length} bytes)`)
  t.equal(adapter.reads, 1, 'PostgreSQL wrote the rows')
  t.equal(server.logs.filter((entry) => entry.includes('B24BI_ERR_DEADLINE') || entry.includes('"deadline":true')).length > 0, true, 'the deadline is logged')
  t.equal(server.logs.filter((entry) => /"level":(40|50)/.test(entry) && entry.includes('b24bi_stream_large')).length, 1, 'in one line')
  t.ok(await eventually(async () => await copies() === 0), 'the COPY no longer runs')
})

t.test('a client that reads nothing is cut after stallSeconds; the COPY is cancelled, the next answer whole', async (t) => {
  const adapter = written(PG_ADAPTER.create(['b24bi_stream_large']))
  const server = await liveServer(adapter, { runtime: { stallSeconds: 1 } })
  t.teardown(() => server.app.close())
  const status = await new Promise<number>((resolve, reject) => {
    const request = httpRequest(`${server.url}/api/data`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.pause()
      resolve(response.statusCode ?? 0)
    })
    request.once('error', reject)
    request.once('response', () => { request.on('error', () => {}) })
    t.teardown(() => request.destroy())
    request.end(JSON.stringify({ connection, table: 'b24bi_stream_large' }))
  })
  t.equal(status, 200)
  t.ok(await eventually(async () => server.logs.some((entry) => entry.includes('B24BI_ERR_CLIENT_STALLED')), 15_000), 'the stall is cut')
  t.ok(await eventually(async () => await copies() === 0), 'the COPY no longer runs')
  const next = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large', select: ['ID'] })
  t.equal((JSON.parse(next.body) as unknown[]).length, LARGE_ROWS + 1, 'the next answer is whole')
})

t.test('past maxRows: a coded 400 before the first byte; a value not of its type: a coded 500 naming the row', async (t) => {
  const capped = written(PG_ADAPTER.create(['b24bi_stream_large']))
  const server = await liveServer(capped, { runtime: { maxRows: 10 } })
  t.teardown(() => server.app.close())
  const over = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large' })
  t.equal(over.status, 400)
  t.match(JSON.parse(over.body), { error: 'B24BI_ERR_LIMIT_EXCEEDED' })
  const within = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large', limit: '10' })
  t.equal((JSON.parse(within.body) as unknown[]).length, 11, 'a limit within the cap is answered')
  t.equal(capped.reads, 2, 'both written by PostgreSQL')

  const mistyped = written(new PostgresAdapter({ url: pgUrl(), token: PG_TOKEN, exposure: { tables: { allow: ['b24bi_stream_large'] } }, types: { b24bi_stream_large: { TITLE: 'int' } } }))
  const typed = await liveServer(mistyped)
  t.teardown(() => typed.app.close())
  const wrong = await postForm(`${typed.url}/api/data`, { connection, table: 'b24bi_stream_large', select: ['ID', 'TITLE'] })
  t.equal(wrong.status, 500)
  t.match(JSON.parse(wrong.body), { error: 'B24BI_ERR_VALUE_INVALID', message: /'TITLE' declared int got 'row \d+' in row 1/ })
  t.equal(mistyped.reads, 1, 'written by PostgreSQL')
})
