import { request as httpRequest } from 'node:http'
import t from 'tap'
import type { Adapter, EncodePlan, ReadPlan, RequestContext } from '../../../src/core/adapter.js'
import { eventually } from '../../helpers/eventually.js'
import { ensurePgTables, PG_ADAPTER, PG_TOKEN, testPool, LARGE_ROWS } from '../../helpers/pg-fixture.js'
import { isJson, liveServer, postForm } from '../../helpers/live-server.js'

const connection = { token: PG_TOKEN }
const pool = testPool()
t.teardown(() => pool.end())
await ensurePgTables(pool)

/** Wraps an adapter, recording what the runtime did to its iterator (rows, or rows its source wrote) and signal. */
function observed (adapter: Adapter): Adapter & { aborted: boolean, finished: boolean, written: boolean } {
  const state = { aborted: false, finished: false, written: false }
  async function * watched<T> (plan: ReadPlan, source: AsyncIterable<T>): AsyncGenerator<T> {
    plan.signal.addEventListener('abort', () => { state.aborted = true }, { once: true })
    try {
      yield * source
    } finally {
      state.finished = true
    }
  }
  const readRows = adapter.readRows.bind(adapter)
  adapter.readRows = ((plan: ReadPlan, context: RequestContext) => watched(plan, readRows(plan, context))) as Adapter['readRows']
  const readEncoded = adapter.readEncoded?.bind(adapter)
  if (readEncoded !== undefined) {
    adapter.readEncoded = (plan: EncodePlan, context: RequestContext) => {
      const source = readEncoded(plan, context)
      if (source !== undefined) state.written = true
      return source === undefined ? undefined : watched(plan, source)
    }
  }
  return Object.defineProperties(adapter, {
    aborted: { get: () => state.aborted },
    finished: { get: () => state.finished },
    written: { get: () => state.written }
  }) as Adapter & { aborted: boolean, finished: boolean, written: boolean }
}

const TABLES = ['b24bi_stream_large', 'b24bi_stream_fails']

async function runningQueries (table: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE $1 AND query NOT LIKE '%pg_stat_activity%' AND pid <> pg_backend_pid()",
    [`%${table}%`])
  return Number(rows[0]?.n)
}

const { name, create } = PG_ADAPTER
t.test(`${name}: a client that disconnects mid-stream cancels the PostgreSQL query`, async (t) => {
  const adapter = observed(create(TABLES))
  const server = await liveServer(adapter)
  t.teardown(() => server.app.close())

  const firstChunk = await new Promise<{ destroy: () => void, status: number }>((resolve, reject) => {
    const request = httpRequest(`${server.url}/api/data`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.once('data', () => {
        response.pause() // read nothing more: backpressure keeps the cursor open on the server
        resolve({ destroy: () => request.destroy(), status: response.statusCode ?? 0 })
      })
    })
    request.once('error', reject)
    request.end(JSON.stringify({ connection, table: 'b24bi_stream_large' }))
  })
  t.equal(firstChunk.status, 200)
  t.ok(adapter.written, 'PostgreSQL writes the rows (COPY)')
  t.ok(await eventually(async () => await runningQueries('b24bi_stream_large') > 0), 'the query is open in pg_stat_activity while the client waits')
  t.notOk(adapter.finished, 'the iterator is still open')

  firstChunk.destroy()
  t.ok(await eventually(async () => adapter.finished), "the adapter's iterator was closed")
  t.ok(adapter.aborted, "the plan's signal aborted (query cancelled)")
  t.ok(await eventually(async () => await runningQueries('b24bi_stream_large') === 0), 'the query is gone from pg_stat_activity')
  t.ok(await eventually(async () => server.logs.some((line) => line.includes('closed the connection') && line.includes('b24bi_stream_large'))), 'the disconnect is logged with the table')

  const next = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large', limit: '5' })
  t.equal(next.status, 200, 'the next request is answered')
  t.equal((JSON.parse(next.body) as unknown[]).length, 6)
})

for (const encoding of ['identity', 'gzip']) {
  t.test(`${name}: a database error after the first byte breaks the response (${encoding})`, async (t) => {
    const server = await liveServer(create(TABLES))
    t.teardown(() => server.app.close())
    const answer = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_fails' }, { 'accept-encoding': encoding })
    t.equal(answer.status, 200, 'the error came after the headers')
    t.ok(answer.broken, 'the client sees a premature close')
    if (encoding === 'identity') {
      t.ok(answer.body.startsWith('[["ID","X"],'), 'rows were sent before the error')
      t.notOk(isJson(answer.body), 'what arrived is not valid JSON')
    }
    t.ok(server.logs.some((line) => line.includes('failed after') && line.includes('b24bi_stream_fails')), 'the failure is logged')
    t.notOk(server.logs.join('\n').includes(PG_TOKEN), 'the token is in no log line')

    const whole = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large', select: ['ID'] })
    t.equal(whole.status, 200)
    t.notOk(whole.broken)
    t.equal((JSON.parse(whole.body) as unknown[]).length, LARGE_ROWS + 1, 'the next request streams the whole table')
  })
}
