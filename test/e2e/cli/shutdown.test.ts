import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildServer } from '../../../src/server/index.js'
import { eventually } from '../../helpers/eventually.js'
import { SlowAdapter } from '../../helpers/slow-adapter.js'

interface Answer { status: number, body: string, complete: boolean }

/** POSTs and resolves with the whole answer; `onFirstByte` fires when the stream has begun. */
async function post (port: number, path: string, body: string, onFirstByte?: () => void): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.once('data', () => onFirstByte?.())
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, complete: res.complete }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function getReady (port: number): Promise<{ status: number, body: string }> {
  // The signal needs a moment to arrive; poll until the drain shows (or the listener is gone, which fails the test).
  let ready = { status: 200, body: 'never draining' }
  await eventually(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/ready`)
    const body = await response.text()
    if (response.status !== 200) ready = { status: response.status, body }
    return response.status !== 200
  }, 5_000)
  return ready
}

function rowsOf (answer: Answer): number {
  const parsed = JSON.parse(answer.body) as unknown[][]
  return parsed.length - 1
}

t.test('close() while urlData streams: the answer finishes whole, the adapter closes after it', async (t) => {
  const adapter = new SlowAdapter({ batches: 20, batchSize: 50, pauseMs: 50 })
  let reading = false
  let closedWhileReading: boolean | undefined
  const readRows = adapter.readRows.bind(adapter)
  adapter.readRows = async function * (plan) {
    reading = true
    try { yield * readRows(plan) } finally { reading = false }
  }
  adapter.close = async () => { closedWhileReading = reading }
  const app = await buildServer({ adapter, logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  let closing: Promise<void> | undefined
  const answer = await post(port, '/api/data', 'connection[token]=ok&table=numbers', () => { closing = app.close() })
  await closing
  t.equal(answer.status, 200)
  t.ok(answer.complete, 'the response ended normally')
  t.equal(rowsOf(answer), 1000, 'every row arrived')
  t.equal(closedWhileReading, false, 'the adapter is closed at the end, not while the answer was in flight')
})

t.test('SIGTERM to `b24bi serve --config`: /ready fails first while calls are still served (drain), 20 in-flight streams all finish, then the process exits 0', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'b24bi-shutdown-'))
  const adapterFile = join(directory, 'slow-adapter.mjs')
  writeFileSync(adapterFile, `import { setTimeout as sleep } from 'node:timers/promises'
    export default class Slow {
      settings = [{ code: 'token', name: 'Token', type: 'STRING' }]
      async init () {} async check (context) { return context.connection.token === 'ok' } capabilities () { return {} }
      async ready () { return true } async close () {}
      async listTables () { return [{ code: 'numbers', title: 'Numbers' }] }
      async describeTable (table) { return table === 'numbers' ? [{ code: 'N', type: 'int' }] : undefined }
      async * readRows () { for (let b = 0; b < 10; b++) { if (b > 0) await sleep(100); yield Array.from({ length: 100 }, (_, i) => [b * 100 + i]) } }
    }`)
  const configFile = join(directory, 'b24bi.json')
  writeFileSync(configFile, JSON.stringify({ port: 0, host: '127.0.0.1', logLevel: 'warn', shutdownGraceSeconds: 60, drainSeconds: 1, concurrentReadsPerCredential: 20, adapter: { type: 'module', module: adapterFile } }))
  const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname
  const child = spawn(process.execPath, [...process.execArgv, main, 'serve', '--config', configFile], {
    env: { ...process.env, PORT: '', HOST: '' }, stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/api\/data/.exec(stdout)
      if (match !== null) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`serve exited (${String(code)}) before listening: ${stderr}`)))
  })

  let started = 0
  let signalled = false
  let answers: Array<Promise<Answer>> = []
  const allStarted = new Promise<void>((resolve) => {
    const onFirstByte = (): void => { if (++started === 20) resolve() }
    answers = Array.from({ length: 20 }, async () => await post(port, '/api/data', 'connection[token]=ok&table=numbers', onFirstByte))
  })
  await allStarted
  signalled = child.kill('SIGTERM')
  const ready = await getReady(port)
  const check = await post(port, '/api/check', 'connection[token]=ok')
  const results = await Promise.all(answers)
  const [code] = await once(child, 'exit') as [number | null]
  t.ok(signalled)
  t.same(ready, { status: 503, body: '{"status":"draining"}' }, 'during the drain /ready tells the balancer to stop sending')
  t.equal(check.status, 200, 'during the drain the listener still serves calls')
  t.equal(results.filter((answer) => answer.status === 200 && answer.complete && rowsOf(answer) === 1000).length, 20, 'all 20 complete')
  t.equal(code, 0, 'clean exit')
  t.notMatch(stderr, /"level":50/, 'no error logged')
})
