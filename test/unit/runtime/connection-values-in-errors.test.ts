import { Writable } from 'node:stream'
import t from 'tap'
import { Adapter, type ReadPlan, type RequestContext, type Row } from '../../../src/core/adapter.js'
import { ERR_SETTING_INVALID } from '../../../src/core/errors.js'
import type { FieldInfo } from '../../../src/core/field-types.js'
import { scrubConnectionValues } from '../../../src/policy/log-redaction.js'
import { buildServer } from '../../../src/server/index.js'
import { eventually } from '../../helpers/eventually.js'

// The canaries: what the portal sends as the connection, and what the adapter then writes into its errors.
const PASSWORD = 'canary-pass-9c3d/&?'
const USER = 'canary-user-5e1f'
const CANARIES = [PASSWORD, encodeURIComponent(PASSWORD), USER, 'canary-pass-9c3d']

/**
 * An adapter that puts the connection in every error it can throw, chosen by the `fail` setting: the check, the
 * table list, the description, the first batch, a batch after rows were sent, a coded error, a frozen error, a
 * URL, and an error it logs itself.
 */
class CanaryAdapter extends Adapter {
  override readonly settings = [
    { code: 'fail', name: 'Where to fail', type: 'STRING' as const },
    { code: 'user', name: 'User', type: 'STRING' as const },
    { code: 'password', name: 'Password', type: 'STRING' as const, secret: true }
  ]

  override async check ({ connection }: RequestContext): Promise<boolean> {
    if (connection.fail === 'at-check') throw new Error('cannot log in with ' + connection.password!)
    if (connection.fail === 'at-check-coded') throw new ERR_SETTING_INVALID('password', `not '${connection.password!}'`)
    if (connection.fail === 'at-check-url') {
      throw new Error(`connect ECONNREFUSED pg://${connection.user!}:${encodeURIComponent(connection.password!)}@db.invalid/x`)
    }
    if (connection.fail === 'at-check-frozen') throw Object.freeze(Object.assign(new Error('login ' + connection.user!), { detail: connection.password }))
    return true
  }

  async listTables (_search: string, { connection, log }: RequestContext): Promise<Array<{ code: string }>> {
    if (connection.fail === 'at-list') throw new Error('cannot log in with ' + connection.password!, { cause: new Error('user ' + connection.user!) })
    if (connection.fail === 'at-list-logged') log.warn({ err: new Error(`retrying as ${connection.user!} with ${connection.password!}`) }, 'retrying')
    return [{ code: 'items' }]
  }

  async describeTable (table: string, { connection }: RequestContext): Promise<FieldInfo[] | undefined> {
    if (connection.fail === 'at-describe') throw new Error('cannot log in with ' + connection.password!)
    return table === 'items' ? [{ code: 'ID', type: 'int' }, { code: 'NOTE', type: 'string' }] : undefined
  }

  async * readRows (_plan: ReadPlan, { connection }: RequestContext): AsyncGenerator<Row[]> {
    if (connection.fail === 'at-first-batch') throw new Error('cannot log in with ' + connection.password!)
    // Enough bytes that the answer has begun (headers and rows sent) before the failure.
    yield Array.from({ length: 5000 }, (_, i) => [i, 'x'.repeat(40)])
    if (connection.fail === 'mid-stream') throw new Error('cannot log in with ' + connection.password!)
    if (connection.fail === 'mid-stream-value') yield [['not a number ' + connection.password!, 'x']]
  }
}

function capture (): { stream: Writable, text: () => string } {
  let text = ''
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { text += chunk.toString(); done() } })
  return { stream, text: () => text }
}

async function post (url: string, body: unknown): Promise<{ status: number, text: string }> {
  const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' }, body: JSON.stringify(body) })
  // A stream broken mid-way rejects while reading: what arrived is still the answer the client saw.
  let text = ''
  try {
    const reader = answer.body!.getReader()
    const decoder = new TextDecoder()
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
  } catch {}
  return { status: answer.status, text }
}

t.test('A canary value in the connection that an adapter puts in its error message appears in no log line', async (t) => {
  const log = capture()
  const app = await buildServer({ adapter: new CanaryAdapter(), logger: { level: 'debug', stream: log.stream } })
  t.teardown(() => app.close())
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const connection = (fail: string): Record<string, string> => ({ fail, user: USER, password: PASSWORD })

  const cases: Array<[string, string, Record<string, unknown>, number, RegExp]> = [
    ['at-check', '/api/check', {}, 502, /cannot log in with \[redacted:password\]/],
    ['at-check-coded', '/api/check', {}, 400, /must be not '\[redacted:password\]'/],
    ['at-check-url', '/api/check', {}, 502, /pg:\/\/\[redacted\]@db\.invalid|pg:\/\/\[redacted:user\]:\[redacted:password\]@/],
    ['at-check-frozen', '/api/check', {}, 502, /login \[redacted:user\]/],
    ['at-list', '/api/table_list', {}, 502, /cannot log in with \[redacted:password\]: user \[redacted:user\]|user \[redacted:user\]/],
    ['at-list-logged', '/api/table_list', {}, 200, /retrying as \[redacted:user\] with \[redacted:password\]/],
    ['at-describe', '/api/table_description', { table: 'items' }, 502, /cannot log in with \[redacted:password\]/],
    ['at-first-batch', '/api/data', { table: 'items' }, 502, /cannot log in with \[redacted:password\]/],
    ['mid-stream', '/api/data', { table: 'items' }, 200, /cannot log in with \[redacted:password\]/],
    ['mid-stream-value', '/api/data', { table: 'items' }, 200, /B24BI_ERR_VALUE_INVALID/]
  ]
  const answers: string[] = []
  for (const [fail, path, body, status, logged] of cases) {
    const from = log.text().length
    const answer = await post(base + path, { connection: connection(fail), ...body })
    answers.push(answer.text)
    t.equal(answer.status, status, `${fail}: ${path} answers ${status}`)
    t.ok(await eventually(async () => logged.test(log.text().slice(from))), `${fail}: the failure is logged, scrubbed (${String(logged)})`)
  }
  for (const broken of answers.slice(-2)) {
    t.ok(broken.startsWith('[["ID","NOTE"],[0,'), 'mid-stream: rows were sent before the failure')
    t.notOk(broken.endsWith(']]'), 'mid-stream: the answer is broken, not a valid array')
  }

  const lines = log.text().split('\n').filter((line) => line !== '')
  t.ok(lines.length > 20, `${lines.length} log lines captured`)
  for (const canary of CANARIES) {
    t.same(lines.filter((line) => line.includes(canary)), [], `'${canary}' appears in no log line`)
    t.same(answers.filter((text) => text.includes(canary)), [], `'${canary}' appears in no answer body`)
  }
})

t.test('scrubConnectionValues: every form of every value long enough, longest first, errors in place, frozen ones copied', async (t) => {
  const connection = { password: 'hunter2!', host: 'db', token: 'hunter2!-and-more', key: 'k/ey?' }
  const error = new Error('a hunter2!-and-more b hunter2! c db', { cause: 'raw k%2Fey%3F' })
  t.equal(scrubConnectionValues(error, connection), error, 'an error is scrubbed in place')
  t.equal(error.message, 'a [redacted:token] b [redacted:password] c db', 'the longer value first; a 2-character value is left')
  t.notMatch(error.stack ?? '', /hunter2/, 'the stack too')
  t.equal(error.cause, 'raw [redacted:key]', 'the percent-encoded form in the cause')

  const frozen = Object.freeze(Object.assign(new Error('x hunter2!'), { detail: 'y hunter2!' }))
  const copy = scrubConnectionValues(frozen, connection) as Error & { detail: string }
  t.not(copy, frozen, 'a frozen error is copied')
  t.same([copy.message, copy.detail], ['x [redacted:password]', 'y [redacted:password]'])

  const aggregate = new AggregateError([new Error('one hunter2!')], 'all')
  scrubConnectionValues(aggregate, connection)
  t.equal((aggregate.errors[0] as Error).message, 'one [redacted:password]', 'the errors of an AggregateError')

  const logged = { where: { said: 'quoted \\"hunter2!\\"' }, list: ['hunter2!'] }
  const scrubbed = scrubConnectionValues(logged, connection)
  t.same(scrubbed, { where: { said: 'quoted \\"[redacted:password]\\"' }, list: ['[redacted:password]'] })
  t.equal(logged.list[0], 'hunter2!', 'a plain object is copied, never changed')
  t.equal(scrubConnectionValues('nothing here', connection), 'nothing here')
  t.equal(scrubConnectionValues('abc hunter2!', {}), 'abc hunter2!', 'no connection, nothing to scrub')
})
