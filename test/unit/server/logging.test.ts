import { Writable } from 'node:stream'
import t from 'tap'
import { buildServer } from '../../../src/server/index.js'
import { scrubSecrets } from '../../../src/policy/log-redaction.js'
import { SlowAdapter } from '../../helpers/slow-adapter.js'
import { form } from '../../helpers/demo-server.js'

function capture (): { stream: Writable, lines: () => Array<Record<string, unknown>>, text: () => string } {
  let text = ''
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { text += chunk.toString(); done() } })
  return { stream, text: () => text, lines: () => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>) }
}

t.test('one log line per request, no deprecation warning, probes at debug', async (t) => {
  const warnings: string[] = []
  const onWarning = (warning: Error & { code?: string }): void => { warnings.push(warning.code ?? warning.name) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })
  const log = capture()
  const app = await buildServer({ adapter: new SlowAdapter({ batches: 1 }), logger: { level: 'info', stream: log.stream } })
  t.teardown(() => app.close())
  await app.inject({ method: 'POST', url: '/api/table_list', ...form({ connection: { token: 'ok-1' } }) })
  await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: 'nope' } }) })
  await app.inject({ method: 'GET', url: '/health' })
  await new Promise((resolve) => setImmediate(resolve))
  const requestLines = log.lines().filter((line) => line.msg === 'request')
  t.same(requestLines.map((line) => [line.method, line.path, line.statusCode]), [['POST', '/api/table_list', 200], ['POST', '/api/check', 401]])
  t.notOk(log.lines().some((line) => line.msg === 'incoming request' || line.msg === 'request completed'), 'no Fastify default lines')
  t.notOk(warnings.includes('FSTDEP023'), 'no FSTDEP023')
})

t.test('secrets never reach the logs or the answer: connection values, URL passwords, secret parameters', async (t) => {
  const log = capture()
  const adapter = new SlowAdapter({ batches: 1 })
  adapter.listTables = async () => { throw new Error('connect to postgres://app:hunter2@db.internal:5432/crm failed (password=hunter2)') }
  const app = await buildServer({ adapter, logger: { level: 'debug', stream: log.stream }, sharedSecret: 'shared-secret-abcdef-123456' })
  t.teardown(() => app.close())
  const answer = await app.inject({ method: 'POST', url: '/api/table_list?secret=shared-secret-abcdef-123456', ...form({ connection: { token: 'ok-tok-SECRET-9' } }) })
  t.equal(answer.statusCode, 502)
  await app.inject({ method: 'POST', url: '/api/check?secret=shared-secret-wrong-000000', ...form({ connection: { token: 'ok-tok-SECRET-9' } }) })
  await new Promise((resolve) => setImmediate(resolve))
  const everything = log.text() + answer.body
  t.match(log.text(), /postgres:\/\/\[redacted\]@db\.internal/, 'the failure itself is logged, scrubbed')
  for (const secret of ['hunter2', 'ok-tok-SECRET-9', 'shared-secret-abcdef-123456', 'shared-secret-wrong-000000']) {
    t.notOk(everything.includes(secret), `'${secret}' appears nowhere`)
  }
})

t.test('scrubSecrets removes userinfo and secret parameters', async (t) => {
  t.equal(scrubSecrets('mysql://root:pw@h/db and https://u:p@x.y/?token=abc&n=1'), 'mysql://[redacted]@h/db and https://[redacted]@x.y/?token=[redacted]&n=1')
  t.equal(scrubSecrets('no secrets here: https://example.com/a?b=c'), 'no secrets here: https://example.com/a?b=c')
})
