import { request } from 'node:http'
import { gunzipSync } from 'node:zlib'
import t from 'tap'
import { dataLogLine } from '../../../src/runtime/data-log.js'
import { ERR_CLIENT_GONE, ERR_DEADLINE } from '../../../src/core/errors.js'
import type { DataSummary } from '../../../src/runtime/runtime.js'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'
import { eventually } from '../../helpers/eventually.js'
import { formBody, liveServer } from '../../helpers/live-server.js'
import { SlowAdapter } from '../../helpers/slow-adapter.js'

function sample (text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

/** POSTs a form body, reads the answer for `ms`, then closes the connection as a portal at its limit does. */
async function readThenClose (url: string, body: Record<string, unknown>, ms: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    const payload = formBody(body)
    const call = request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      let received = 0
      response.on('data', (chunk: Buffer) => { received += chunk.length })
      response.on('error', () => {})
      setTimeout(() => { call.destroy(); resolve(received) }, ms)
    })
    call.on('error', (error) => { if (!call.destroyed) reject(error) })
    call.end(payload)
  })
}

t.test('a client that closes after 1 s on a large answer: one error line with table, rows, bytes and rate, and the metric counts it', async (t) => {
  // 1,000 rows every 20 ms for a long while: an answer far from done after a second, with bytes flowing all along.
  const server = await liveServer(new SlowAdapter({ batches: 100_000, batchSize: 1000, pauseMs: 20 }))
  t.teardown(async () => await server.app.close())
  const received = await readThenClose(`${server.url}/api/data`, { connection: { token: 'ok' }, table: 'numbers' }, 1000)
  t.ok(received > 0, 'bytes flowed before the client closed')
  const aborted = (): string[] => server.logs.filter((line) => line.includes('closed the connection'))
  t.ok(await eventually(async () => aborted().length > 0), 'the abort is logged')
  const lines = server.logs.filter((line) => line.includes('"rowsPerSecond"'))
  t.equal(lines.length, 1, 'exactly one log line reports the answer')
  t.equal(server.logs.filter((line) => /"level":(40|50)/.test(line)).length, 1, 'and it is the only warning or error')
  const line = JSON.parse(lines[0]!) as Record<string, unknown>
  t.equal(line.level, 50, 'an error')
  t.match(line, { table: 'numbers', rows: Number, bytes: Number, elapsedS: Number, rowsPerSecond: Number })
  t.ok((line.rows as number) > 0 && (line.bytes as number) > 0, 'rows and bytes sent are counted')
  t.ok((line.bytes as number) >= received, 'at least the bytes the client received')
  t.match(line.msg, /client closed the connection during urlData for 'numbers' after \d+ rows, \d+ bytes in [\d.]+ s \(\d+ rows\/s\)/)
  t.notMatch(line.msg, /transfer limit/, 'far from 60 s the transfer limit is not blamed')
  const metrics = await fetch(`${server.url}/metrics`).then(async (answer) => await answer.text())
  t.equal(sample(metrics, 'b24bi_client_aborts_total', 'table="numbers"'), 1, 'counted once in /metrics')
  t.equal(sample(metrics, 'b24bi_data_duration_seconds_count', 'outcome="client_gone"'), 1)
})

const summary = (facts: Partial<DataSummary>): DataSummary => ({ table: 'deals', rows: 1_200_000, bytes: 300 * 1024 * 1024, elapsedMs: 1000, deadline: false, ...facts })

t.test('near 60 s a closed connection names the portal\'s transfer limit and what to do', async (t) => {
  const near = dataLogLine(summary({ elapsedMs: 58_400, error: new ERR_CLIENT_GONE() }), Infinity)
  t.equal(near.level, 'error')
  t.match(near.facts, { table: 'deals', rows: 1_200_000, bytes: 300 * 1024 * 1024, elapsedS: 58.4, rowsPerSecond: 20548 })
  t.match(near.message, /60 s transfer limit is the likely cause: add a filter .* smaller table .* faster source/)
  t.notMatch(dataLogLine(summary({ elapsedMs: 12_000, error: new ERR_CLIENT_GONE() }), Infinity).message, /transfer limit/)
  const deadline = dataLogLine(summary({ elapsedMs: 55_000, deadline: true, error: new ERR_DEADLINE('55') }), Infinity)
  t.match(deadline, { level: 'error', message: /stopped at the deadline after 1200000 rows, \d+ bytes .*stops a transfer after 60 s/ })
  t.notMatch(deadline.message, /250/, 'no trace of the old 250 s')
})

t.test('the log line of every answer carries its bytes; past maxAnswerMegabytes it is a warning naming the table', async (t) => {
  t.match(dataLogLine(summary({ bytes: 1024 }), 1024 * 1024), { level: 'info', facts: { bytes: 1024 } })
  const big = dataLogLine(summary({}), 256 * 1024 * 1024)
  t.equal(big.level, 'warn')
  t.match(big.message, /'deals' answered 314572800 bytes, more than maxAnswerMegabytes \(256\); the portal keeps the whole answer in memory/)

  const server = await liveServer(new SlowAdapter({ batches: 3, batchSize: 500, pauseMs: 1 }), { runtime: { maxAnswerMegabytes: 0.001 } })
  t.teardown(async () => await server.app.close())
  const answer = await fetch(`${server.url}/api/data`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody({ connection: { token: 'ok' }, table: 'numbers' }) })
  t.equal((await answer.json() as unknown[]).length, 1501, 'the answer itself is whole')
  t.ok(await eventually(async () => server.logs.some((line) => line.includes('maxAnswerMegabytes'))), 'logged')
  const line = JSON.parse(server.logs.find((entry) => entry.includes('maxAnswerMegabytes'))!) as Record<string, unknown>
  t.match(line, { level: 40, table: 'numbers', rows: 1500, bytes: Number })
})

t.test('an answer is compressed only when the client asks for it (the portal does not)', async (t) => {
  const app = await demoServer()
  t.teardown(async () => await app.close())
  const body = form({ connection: { token: TOKEN }, table: 'deals', limit: '2000' })
  const plain = await app.inject({ method: 'POST', url: '/api/data', ...body })
  t.equal(plain.statusCode, 200)
  t.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: plain JSON')
  t.equal((plain.json() as unknown[]).length, 2001)
  const asked = await app.inject({ method: 'POST', url: '/api/data', payload: body.payload, headers: { ...body.headers, 'accept-encoding': 'gzip' } })
  t.equal(asked.headers['content-encoding'], 'gzip', 'gzip when asked')
  t.equal(gunzipSync(asked.rawPayload).toString('utf8'), plain.body)
})
