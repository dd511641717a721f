import { request as httpRequest } from 'node:http'
import t, { type Test } from 'tap'
import type { Adapter, ReadPlan, RequestContext, Row } from '../../../src/core/adapter.js'
import { eventually } from '../../helpers/eventually.js'
import { liveServer, postForm, type LiveServer } from '../../helpers/live-server.js'
import { MemoryAdapter } from '../../helpers/memory-adapter.js'

const fields = [{ code: 'ID', type: 'int' as const }, { code: 'TEXT', type: 'string' as const }]
// Enough rows that an unread answer fills every buffer on the way and waits on its client.
const rows = Array.from({ length: 200_000 }, (_, i) => ({ ID: i, TEXT: `row number ${i} with some text to fill the buffers` }))

/** Callers tell themselves apart by their `token` setting (every token is accepted). */
class TokenAdapter extends MemoryAdapter {
  override readonly settings = [{ code: 'token', name: 'Token', type: 'STRING' as const }]
}

/** Counts the reads the adapter has open and records their signals. */
function counted (adapter: Adapter): Adapter & { open: number, aborted: number } {
  const state = { open: 0, aborted: 0 }
  const readRows = adapter.readRows.bind(adapter)
  adapter.readRows = async function * (plan: ReadPlan, context: RequestContext): AsyncGenerator<readonly Row[]> {
    state.open++
    plan.signal.addEventListener('abort', () => { state.aborted++ }, { once: true })
    try {
      yield * readRows(plan, context)
    } finally {
      state.open--
    }
  } as Adapter['readRows']
  return Object.defineProperties(adapter, { open: { get: () => state.open }, aborted: { get: () => state.aborted } }) as Adapter & { open: number, aborted: number }
}

/** Starts an urlData answer whose body is never read; resolves with its status once the first bytes came. */
async function neverRead (server: LiveServer, token: string, t: Test): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const request = httpRequest(`${server.url}/api/data`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.pause() // never read: backpressure holds the answer open on the server
      resolve(response.statusCode ?? 0)
    })
    request.once('error', reject) // before the answer; afterwards the server cutting it is expected
    request.once('response', () => { request.on('error', () => {}) })
    t.teardown(() => request.destroy())
    request.end(JSON.stringify({ connection: { token }, table: 'items' }))
  })
}

t.test('per credential set at most concurrentReadsPerCredential answers at once: one more is a coded 429 with Retry-After', async (t) => {
  const adapter = counted(new TokenAdapter([...fields], rows, { batch: 1000 }))
  const server = await liveServer(adapter, { runtime: { concurrentReadsPerCredential: 2, stallSeconds: 600 } })
  t.teardown(() => server.app.close())
  t.equal(await neverRead(server, 'alice', t), 200)
  t.equal(await neverRead(server, 'alice', t), 200)
  const third = await postForm(`${server.url}/api/data`, { connection: { token: 'alice' }, table: 'items', limit: 1 })
  t.equal(third.status, 429)
  t.match(third.body, /B24BI_ERR_READS_LIMITED/)
  t.ok(Number(third.headers['retry-after']) > 0, `Retry-After: ${third.headers['retry-after']}`)
  const other = await postForm(`${server.url}/api/data`, { connection: { token: 'bob' }, table: 'items', limit: 1 })
  t.equal(other.status, 200, 'another credential set is served meanwhile')
  const check = await postForm(`${server.url}/api/check`, { connection: { token: 'alice' } })
  t.equal(check.status, 200, 'the capped credential set still passes urlCheck')
})

t.test('the global cap never exceeds what the adapter declares it serves at once: 503 beyond', async (t) => {
  const adapter = counted(new TokenAdapter([...fields], rows, { batch: 1000, capabilities: { concurrentReads: 1 } }))
  const server = await liveServer(adapter, { runtime: { concurrentReads: 50, stallSeconds: 600 } })
  t.teardown(() => server.app.close())
  t.equal(await neverRead(server, 'alice', t), 200)
  const second = await postForm(`${server.url}/api/data`, { connection: { token: 'bob' }, table: 'items', limit: 1 })
  t.equal(second.status, 503)
  t.match(second.body, /B24BI_ERR_OVERLOADED/)
  t.ok(Number(second.headers['retry-after']) > 0, 'with Retry-After')
})

t.test('an answer the client reads nothing of for stallSeconds is cut, its read aborted and its slot freed', async (t) => {
  const adapter = counted(new TokenAdapter([...fields], rows, { batch: 1000 }))
  const server = await liveServer(adapter, { runtime: { concurrentReadsPerCredential: 1, stallSeconds: 1 } })
  t.teardown(() => server.app.close())
  t.equal(await neverRead(server, 'alice', t), 200)
  t.equal(adapter.open, 1, 'the read is open while the client waits')
  t.ok(await eventually(async () => adapter.open === 0, 20_000), 'the read was closed after the stall')
  t.equal(adapter.aborted, 1, "the read's signal aborted (its query cancelled)")
  t.ok(server.logs.some((line) => line.includes('B24BI_ERR_CLIENT_STALLED')), 'the log names the stall')
  const next = await postForm(`${server.url}/api/data`, { connection: { token: 'alice' }, table: 'items', limit: 1 })
  t.equal(next.status, 200, 'the slot is free again')
})

t.test('a slot is freed when an answer fails before its first row, and when it completes', async (t) => {
  const adapter = new TokenAdapter([...fields], rows.slice(0, 10), {})
  const server = await liveServer(adapter, { runtime: { concurrentReadsPerCredential: 1 } })
  t.teardown(() => server.app.close())
  for (let i = 0; i < 3; i++) {
    const missing = await postForm(`${server.url}/api/data`, { connection: { token: 'alice' }, table: 'nope' })
    t.equal(missing.status, 404)
    const unknown = await postForm(`${server.url}/api/data`, { connection: { token: 'alice' }, table: 'items', select: ['NOPE'] })
    t.equal(unknown.status, 400)
    const whole = await postForm(`${server.url}/api/data`, { connection: { token: 'alice' }, table: 'items' })
    t.equal(whole.status, 200)
  }
})
