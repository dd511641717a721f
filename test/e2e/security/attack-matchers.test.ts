import t, { type Test } from 'tap'
import { request } from 'undici'
import { moduleFile, serve, watchHealth, type Served } from './served.js'

// Findings 1 (ReDoS in the in-memory LIKE) and 11 (numeric IN in rows x list), against `b24bi serve` running a
// custom adapter that pushes nothing down (the README's own shape, the review's server B), 100,000 rows.
const ROWS = 100_000
const TOKEN = 'notes-token-5d1c'
const TIME_LIMIT_MS = 10_000 // generous: a backtracking matcher takes 24 s on ONE row for %%%%%%%%!

// As the README writes one: a subclass of Adapter (here the built package's), only the required methods.
const CORE = new URL('../../../dist/src/index.js', import.meta.url).href
const ADAPTER = `import { Adapter } from ${JSON.stringify(CORE)}
export default class Notes extends Adapter {
  settings = [{ code: 'token', name: 'Token', type: 'STRING', secret: true }]
  async check ({ connection }) { return connection.token === ${JSON.stringify(TOKEN)} }
  async listTables () { return [{ code: 'notes', title: 'Notes' }] }
  async describeTable (table) { return table === 'notes' ? [{ code: 'ID', type: 'int' }, { code: 'TEXT', type: 'string' }] : undefined }
  async * readRows (plan) {
    for (let start = 0; start < ${ROWS} && !plan.signal.aborted; start += 1000) {
      yield Array.from({ length: 1000 }, (_, i) => ({ ID: start + i, TEXT: 'Meeting notes for customer number ' + (start + i) + ' about the renewal' }))
    }
  }
}
`

interface Timed { status: number, rows: unknown[][], ms: number }

async function urlData (server: Served, body: Record<string, unknown>): Promise<Timed> {
  const started = performance.now()
  const answer = await request(`${server.url}/api/data`, {
    method: 'POST',
    body: JSON.stringify({ connection: { token: TOKEN }, table: 'notes', ...body }),
    headers: { 'content-type': 'application/json' },
    headersTimeout: 600_000,
    bodyTimeout: 600_000
  })
  const text = await answer.body.text()
  const ms = performance.now() - started
  return { status: answer.statusCode, rows: answer.statusCode === 200 ? JSON.parse(text) as unknown[][] : [[text]], ms }
}

/** Runs one urlData call while /health is polled; checks /health answered every poll, none slow. */
async function withHealth (t: Test, server: Served, name: string, body: Record<string, unknown>): Promise<Timed> {
  const health = watchHealth(server.url)
  const answer = await urlData(server, body)
  const record = await health.stop()
  t.comment(`${name}: answered in ${answer.ms.toFixed(0)} ms; /health polled ${record.polls} times, slowest ${record.maxMs.toFixed(0)} ms`)
  t.equal(answer.status, 200, `${name}: 200`, { body: answer.rows })
  t.ok(answer.ms < TIME_LIMIT_MS, `${name}: answered within ${TIME_LIMIT_MS / 1000} s`)
  t.same(record.failures, [], `${name}: /health answered 200 every time`)
  t.ok(record.polls >= 1 && record.maxMs < TIME_LIMIT_MS, `${name}: /health never waited ${TIME_LIMIT_MS / 1000} s`)
  return answer
}

t.test(`LIKE patterns that explode a backtracking matcher, over ${ROWS.toLocaleString('en')} rows of a pushdown-free adapter: answered, /health answers throughout`, async (t) => {
  const server = await serve(t, { B24BI_ADAPTER: 'module', B24BI_ADAPTER_MODULE: moduleFile(t, 'notes-adapter.mjs', ADAPTER) })
  for (const pattern of ['%_%_%_%_%_%_%_!', '%%%%%%%%!']) {
    const answer = await withHealth(t, server, `~TEXT=${pattern}`, { filter: { '~TEXT': pattern } })
    t.same(answer.rows, [['ID', 'TEXT']], `${pattern}: no row matches`)
  }
  // The same shape that does match, on the last row only: every row was scanned and the matcher is right.
  const last = await withHealth(t, server, '~TEXT=%_%_%_%_%_%_%99999 about%', { filter: { '~TEXT': '%_%_%_%_%_%_%99999 about%' } })
  t.same(last.rows.slice(1), [[ROWS - 1, `Meeting notes for customer number ${ROWS - 1} about the renewal`]], 'only the last row matches')
})

t.test('a 120,000-value numeric IN list over the same rows is one set lookup per row: answered, /health answers throughout', async (t) => {
  const server = await serve(t, { B24BI_ADAPTER: 'module', B24BI_ADAPTER_MODULE: moduleFile(t, 'notes-adapter.mjs', ADAPTER) })
  // Values no row has, and three it has; about 1 MB of JSON, under the body limit.
  const values = [...Array.from({ length: 120_000 - 3 }, (_, i) => 1_000_000 + i), 7, 50_000, ROWS - 1]
  const answer = await withHealth(t, server, 'ID IN (120,000 values)', { filter: { ID: values }, select: ['ID'] })
  t.same(answer.rows, [['ID'], [7], [50_000], [ROWS - 1]], 'exactly the three rows listed')
})
