import Fastify from 'fastify'
import qs from 'qs'
import t, { type Test } from 'tap'
import { valueProblem } from '../../src/cli/probe/answer-checks.js'
import { demoServer, TOKEN } from '../helpers/demo-server.js'
import { runCli } from './cli-harness.js'

async function listen (t: Test, app: Awaited<ReturnType<typeof demoServer>>): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => await app.close())
  const address = app.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
}

/** A connector that gets everything the portal checks wrong, recording the bodies it received. */
async function brokenConnector (t: Test, bodies: Array<Record<string, unknown>>): Promise<string> {
  const app = Fastify()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, qs.parse(String(body))))
  app.addHook('preHandler', async (request) => { bodies.push(request.body as Record<string, unknown>) })
  app.post('/api/check', async (_request, reply) => await reply.send(''))
  app.post('/api/table_list', async () => [{ code: 'orders', title: 'Orders' }, { code: 'empty_title', title: '' }])
  app.post('/api/table_description', async (request) => (request.body as { table: string }).table === 'orders'
    ? [{ code: 'ID', name: 'Id', type: 'int' }, { code: 'created at', name: 'Created', type: 'date' }, { code: 'FLAG', name: '', type: 'bool' }]
    : [])
  app.post('/api/data', async (request) => {
    const body = request.body as { select?: string[] }
    const header = body.select === undefined ? ['ID', 'created at', 'FLAG'] : ['ID', 'created at', 'FLAG'].slice(0, body.select.length)
    return [header, ...Array.from({ length: 12 }, (_, i) => header.map((code) => code === 'ID' ? String(i) : code === 'created at' ? '2024-02-30' : true))]
  })
  return await listen(t, app as never)
}

t.test('probe passes on the demo connector', async (t) => {
  const base = await listen(t, await demoServer())
  const run = await runCli(['probe', base, '--setting', `token=${TOKEN}`])
  t.equal(run.code, 0, run.stdout)
  t.match(run.stdout, /PASS {2}\d+ calls in \d+ ms: 0 errors, 0 warnings/)
  t.match(run.stdout, /✔ table list\s+200\s+\d+ ms\s+5 tables/)
  t.notMatch(run.stdout, TOKEN, 'the setting value is not printed')
  const json = await runCli(['probe', base, '--setting', `token=${TOKEN}`, '--json'])
  const report = JSON.parse(json.stdout)
  t.match(report, { ok: true, errors: 0 })
  t.ok(report.steps.some((step: { name: string }) => /select 3, filter \w+, limit 5/.test(step.name)), 'a select + filter + limit call was made')
})

t.test('probe fails on a wrong token with a clear report', async (t) => {
  const base = await listen(t, await demoServer())
  const run = await runCli(['probe', base, '--setting', 'token=nope'])
  t.equal(run.code, 1)
  t.match(run.stdout, /✖ check\s+401/)
  t.match(run.stdout, /FAIL/)
})

t.test('probe reports every violation of a broken connector', async (t) => {
  const bodies: Array<Record<string, unknown>> = []
  const base = await brokenConnector(t, bodies)
  const run = await runCli(['probe', base, '--setting', 'token=x y', '--preview-limit', '10'])
  t.equal(run.code, 1)
  for (const finding of [
    /error: an empty body: the portal treats it as a failed check/,
    /warning: urlCheck accepts settings that should be wrong/,
    /error: item 1 \(empty_title\): "title" is missing or empty/,
    /error: field FLAG: "name" is missing or empty/,
    /error: field FLAG: type 'bool' is not one of int, string, double, date, datetime, money/,
    /warning: field created at: not a dataset field name/,
    /error: 12 rows for a limit of 10/,
    /error: field ID \(int\) row 1: "0" is not an integer/,
    /error: field created at \(date\) row 1: "2024-02-30" is not a Y-m-d date/,
    /error: the header is \["ID","created at","FLAG"\], expected \["FLAG","created at","ID"\]/,
    /error: 12 rows for a limit of 5/,
    /error: no fields: the portal cannot build a dataset/,
    /FAIL .*: the portal would reject this connector/
  ]) t.match(run.stdout, finding)
  t.same(bodies[0], { connection: { token: 'x y' } }, 'check got connection only')
  t.ok(bodies.some((body) => body.searchString === ''), 'table list sent an empty search string as the portal does')
  t.ok(bodies.some((body) => body.limit === '10' && body.select === undefined), 'the preview sends only limit')
})

t.test('probe against nothing listening reports no answer', async (t) => {
  const run = await runCli(['probe', 'http://127.0.0.1:1', '--timeout', '5'])
  t.equal(run.code, 1)
  t.match(run.stdout, /error: no answer/)
})

t.test('probe usage', async (t) => {
  t.match(await runCli(['probe']), { code: 2, stderr: /base URL/ })
  t.match(await runCli(['probe', 'http://x', '--datetime-format', 'c']), { code: 2, stderr: /datetime-format/ })
  t.match(await runCli(['probe', 'http://x', '--setting', 'novalue']), { code: 2, stderr: /code=value/ })
  t.match(await runCli(['probe', '--help']), { code: 0, stdout: /^Usage: b24bi probe BASE_URL/ })
})

t.test('values are checked against their declared type and format', async (t) => {
  const ok: Array<[unknown, Parameters<typeof valueProblem>[1]]> = [
    [null, 'int'], [5, 'int'], [-1.5, 'double'], [2, 'money'], ['x', 'string'], ['2024-02-29', 'date'], ['2024-12-31 23:59:59', 'datetime']
  ]
  for (const [value, type] of ok) t.equal(valueProblem(value, type, 'Y-m-d H:i:s'), undefined, `${JSON.stringify(value)} is ${type}`)
  const bad: Array<[unknown, Parameters<typeof valueProblem>[1]]> = [
    [1.5, 'int'], ['5', 'int'], ['1.5', 'double'], [5, 'string'], ['2023-02-29', 'date'], ['31.12.2024', 'date'],
    ['2024-12-31T23:59:59', 'datetime'], ['2024-12-31 24:00:00', 'datetime'], [true, 'string']
  ]
  for (const [value, type] of bad) t.not(valueProblem(value, type, 'Y-m-d H:i:s'), undefined, `${JSON.stringify(value)} is not ${type}`)
  t.equal(valueProblem('2024-08-30T12:19:57+02:00', 'datetime', 'iso'), undefined)
  t.not(valueProblem('2024-08-30 12:19:57', 'datetime', 'iso'), undefined)
})

t.test('probe shows progress on a TTY only', async (t) => {
  const base = await listen(t, await demoServer())
  const tty = await runCli(['probe', base, '--setting', `token=${TOKEN}`], {}, { tty: true })
  t.equal(tty.code, 0)
  t.match(tty.stdout, /probing: deals: description/)
  t.match(tty.stdout, /\u001b\[32mPASS/)
  const plain = await runCli(['probe', base, '--setting', `token=${TOKEN}`])
  t.notMatch(plain.stdout, /probing:|\u001b/)
})
