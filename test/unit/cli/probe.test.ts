import Fastify from 'fastify'
import qs from 'qs'
import t, { type Test } from 'tap'
import { portalDateFormat, writePortalDate } from '../../../src/probe/portal-date.js'
import { probe, type ProbeStep } from '../../../src/probe/probe-run.js'
import { JsonNumber } from '../../../src/util/exact-json.js'
import { valueProblem } from '../../../src/protocol/answer-checks.js'
import { demoServer, TOKEN } from '../../helpers/demo-server.js'
import { runCli } from '../../helpers/cli-harness.js'

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
  for (const shape of [/deals: filter, groups only: =\w+ \[/, /deals: filter, date range \d\d\.\d\d\.\d{4} - \d\d\.\d\d\.\d{4} 23:59:59 on \w+/, /deals: filter, negated: !>\w+ \[/]) {
    t.ok(report.steps.some((step: ProbeStep) => shape.test(step.name) && step.status === 200 && /^[1-9]\d* rows?$/.test(step.summary)), `${shape}: rows, all matching`)
  }
})

t.test('probe sends portal-shaped filters, dates in the portal\'s own format, and passes a demo set to that format', async (t) => {
  const raws: string[] = []
  const report = await probe({ baseUrl: await quirkyConnector(t, [], raws), settings: { token: 'x' }, portalDateFormat: 'MM/DD/YYYY H:MI:SS T' })
  t.ok(report.steps.some((step) => step.name.startsWith('ORDERS: filter, date range 05/31/2025 - 05/31/2025 11:59:59 pm')))
  for (const encoded of [
    'filter%5B0%5D%5B0%5D%5B%3DID%5D%5B0%5D=1&filter%5B0%5D%5B0%5D%5B%3DID%5D%5B1%5D=2&filter%5B0%5D%5BLOGIC%5D=OR',
    'filter%5B%3E%3DDAY%5D=05%2F31%2F2025&filter%5B%3C%3DDAY%5D=05%2F31%2F2025+11%3A59%3A59+pm',
    'filter%5B0%5D%5B0%5D%5B%21%3EID%5D%5B0%5D=1&filter%5B0%5D%5BLOGIC%5D=OR'
  ]) t.ok(raws.some((raw) => raw.includes(encoded)), `sent ${decodeURIComponent(encoded)}`)

  const base = await listen(t, await demoServer({ runtime: { portalDateFormat: 'MM/DD/YYYY H:MI:SS T' } }))
  const run = await runCli(['probe', base, '--setting', `token=${TOKEN}`, '--portal-date-format', 'MM/DD/YYYY H:MI:SS T'])
  t.equal(run.code, 0, run.stdout)
  t.match(run.stdout, /✔ deals: filter, date range \d\d\/\d\d\/\d{4} - \d\d\/\d\d\/\d{4} 11:59:59 pm on \w+\s+200/)
  t.match(await runCli(['probe', base, '--portal-date-format', 'D.M.Y']), { code: 2, stderr: /--portal-date-format/ })
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
    /✖ orders: filter, groups only: =ID \[0, 1\][^✖]*error: a row with ID = "2", which the filter excludes/,
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
  t.equal(valueProblem(new JsonNumber('9223372036854775807'), 'int', 'Y-m-d H:i:s'), undefined, 'PHP_INT_MAX is an int')
  t.match(valueProblem(new JsonNumber('18446744073709551615'), 'int', 'Y-m-d H:i:s'), /signed 64-bit/, 'a UInt64 maximum is not')
  t.match(valueProblem(new JsonNumber('1.0'), 'int', 'Y-m-d H:i:s'), /not an integer/)
  t.equal(valueProblem(new JsonNumber('1e300'), 'double', 'Y-m-d H:i:s'), undefined)
  t.equal(valueProblem('2024-08-30T12:19:57+02:00', 'datetime', 'iso'), undefined)
  t.not(valueProblem('2024-08-30 12:19:57', 'datetime', 'iso'), undefined)
})

t.test('probe shows progress on a TTY only', async (t) => {
  const base = await listen(t, await demoServer())
  const tty = await runCli(['probe', base, '--setting', `token=${TOKEN}`], {}, { tty: true })
  t.equal(tty.code, 0)
  t.match(tty.stdout, /probing: deals: description/)
  // eslint-disable-next-line no-control-regex -- the ANSI escape of colours
  t.match(tty.stdout, /\u001b\[32mPASS/)
  const plain = await runCli(['probe', base, '--setting', `token=${TOKEN}`])
  // eslint-disable-next-line no-control-regex -- the ANSI escape of colours
  t.notMatch(plain.stdout, /probing:|\u001b/)
})

/** A connector with upper-case types, an int PHP cannot read, a slow preview and a table whose description fails. */
async function quirkyConnector (t: Test, bodies: Array<Record<string, unknown>>, raws: string[] = []): Promise<string> {
  const app = Fastify()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => {
    raws.push(String(body))
    done(null, qs.parse(String(body)))
  })
  app.addHook('preHandler', async (request) => { bodies.push(request.body as Record<string, unknown>) })
  app.post('/api/check', async () => ({ status: 'ok' }))
  app.post('/api/table_list', async () => [{ code: 'ORDERS', title: 'Orders', id: 7 }, { code: 'GONE', title: 'Gone' }])
  app.post('/api/table_description', async (request, reply) => (request.body as { table: string }).table === 'ORDERS'
    ? [{ code: 'ID', name: 'Id', type: 'INT' }, { code: 'BIG', name: 'Big', type: 'int' }, { code: 'DAY', name: 'Day', type: 'Date' }]
    : await reply.code(500).send({ error: 'down' }))
  app.post('/api/data', async (request, reply) => {
    const body = request.body as { select?: string[] }
    await new Promise((resolve) => setTimeout(resolve, 300))
    const rows = ['[1,9223372036854775808,"2025-05-31"]', '[2,-9223372036854775808,null]']
    const header = body.select ?? ['ID', 'BIG', 'DAY']
    const text = body.select === undefined ? `[${JSON.stringify(header)},${rows.join(',')}]` : `[${JSON.stringify(header)}]`
    return await reply.type('application/json').send(text)
  })
  return await listen(t, app as never)
}

t.test('probe reads upper-case types, times every answer, fails one over the limit and lists what it could not run', async (t) => {
  const bodies: Array<Record<string, unknown>> = []
  const base = await quirkyConnector(t, bodies)
  const report = await probe({ baseUrl: base, settings: { token: 'x' }, answerLimitMs: 200 })
  const step = (name: string): ProbeStep | undefined => report.steps.find((candidate) => candidate.name === name)
  const messages = report.steps.flatMap((candidate) => candidate.violations.map((violation) => `${candidate.name}: ${violation.message}`))
  t.notOk(messages.some((message) => /type '(INT|Date)'/.test(message)), 'INT and Date are types the portal knows')
  t.match(step('ORDERS: preview')?.violations, [
    { severity: 'error', message: /the answer took [\d.]+ s \(its body [\d.]+ s\), over 0\.2 s: the portal stops a transfer at 60 s/ },
    { severity: 'error', message: /field BIG \(int\) row 1: 9223372036854775808 is outside the signed 64-bit range/ }
  ])
  t.notOk(messages.some((message) => /-9223372036854775808/.test(message)), 'the smallest signed 64-bit int is fine')
  t.ok(report.steps.every((candidate) => candidate.notRun !== undefined || (candidate.ms >= candidate.transferMs && candidate.transferMs >= 0)),
    'every call reports its time and its body transfer time')
  t.match(step('GONE: description')?.violations, [{ severity: 'error', message: /HTTP 500/ }])
  t.match(step('GONE: preview'), { notRun: 'the description failed', status: 0 })
  t.match(step('GONE: select, filter, limit'), { notRun: 'the description failed' })
  t.ok(bodies.some((body) => body.table === 'ORDERS' && body.limit === '20' && body.select === undefined), 'the preview asks for 20 rows, no select')

  const run = await runCli(['probe', base, '--setting', 'token=x'])
  t.match(run.stdout, /- GONE: preview\s+---\s+-\s+not run: the description failed/)
  t.match(run.stdout, /✖ ORDERS: preview\s+200\s+\d+ ms\s+2 rows\s+\(body \d+ ms\)/)
  t.match(run.stdout, /FAIL {2}\d+ calls in \d+ ms: \d+ errors, 1 warnings, 5 not run/)
})

t.test('dates are written in the portal\'s own format, as its ConvertTimeStamp does', async (t) => {
  const en = portalDateFormat('MM/DD/YYYY H:MI:SS T')
  t.equal(en.short, 'MM/DD/YYYY')
  t.equal(writePortalDate(en.full, '2025-05-31', '23:59:59'), '05/31/2025 11:59:59 pm')
  t.equal(writePortalDate(en.full, '2025-05-31'), '05/31/2025 12:00:00 am')
  t.equal(writePortalDate(en.short, '2025-05-31'), '05/31/2025')
  t.equal(writePortalDate('DD.MM.YYYY HH:MI:SS', '2025-05-31', '23:59:59'), '31.05.2025 23:59:59')
  t.equal(writePortalDate('YYYY-MM-DD H:MI TT', '2025-05-31', '09:05:00'), '2025-05-31 09:05 AM')
  t.same(portalDateFormat('DD/MM/YYYY'), { full: 'DD/MM/YYYY HH:MI:SS', short: 'DD/MM/YYYY' }, 'a date-only setting writes 24-hour times')
  t.throws(() => portalDateFormat('D.M.Y'), { code: 'B24BI_ERR_CLI_USAGE', message: /--portal-date-format/ }, 'the server\'s vocabulary only')
})
