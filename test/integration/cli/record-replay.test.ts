import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import t from 'tap'
import type { FieldInfo } from '../../../src/core/field-types.js'
import type { RequestContext } from '../../../src/core/adapter.js'
import { createDemoAdapter } from '../../../src/cli/demo.js'
import { main } from '../../../src/cli/main.js'
import { startRecorder } from '../../../src/cli/commands/record.js'
import { replayTranscript } from '../../../src/cli/commands/replay.js'
import { probe } from '../../../src/probe/probe-run.js'
import { parseFormBody } from '../../../src/protocol/form-body.js'
import { parseTranscript, redactBody, redactPath, restoreBody, sessionMarkers } from '../../../src/cli/transcript.js'
import { liveServer, postForm } from '../../helpers/live-server.js'

const TOKEN = 'record-canary-e4a9d1'

function captureIo (): { io: Parameters<typeof main>[1], text: () => string } {
  const out = new PassThrough()
  let text = ''
  out.on('data', (chunk: Buffer) => { text += chunk.toString() })
  return { io: { stdout: out, stderr: out, env: {} }, text: () => text }
}

t.test('markers: form and JSON bodies lose their connection values and get them back', async (t) => {
  const markers = sessionMarkers()
  const form = `connection%5Btoken%5D=${TOKEN}&table=deals&select%5B0%5D=ID`
  const redacted = redactBody(form, 'application/x-www-form-urlencoded', markers)
  t.notMatch(redacted, TOKEN)
  t.equal(restoreBody(redacted, 'application/x-www-form-urlencoded', { token: TOKEN }), form)
  const wrong = redactBody('connection%5Btoken%5D=nope', 'application/x-www-form-urlencoded', markers)
  t.match(decodeURIComponent(wrong), /token#2/, 'a second distinct value gets its own marker')
  const json = JSON.stringify({ connection: { token: TOKEN, 'pa"ss': 'x"y' }, table: 'deals' })
  const jsonRedacted = redactBody(json, 'application/json')
  t.notMatch(jsonRedacted, TOKEN)
  t.same(JSON.parse(restoreBody(jsonRedacted, 'application/json', { token: TOKEN, 'pa"ss': 'x"y' })), JSON.parse(json))
  t.throws(() => restoreBody(jsonRedacted, 'application/json', {}), { code: 'B24BI_ERR_CLI_USAGE' }, 'a missing setting is a usage error')
})

t.test('finding 8: every spelling the server decodes loses its connection values and gets them back', async (t) => {
  const FORM = 'application/x-www-form-urlencoded'
  const forms = [
    `connection[token][]=${TOKEN}&table=deals`,
    `connection[token][0]=${TOKEN}&table=deals`,
    `connection%5Btoken%5D%5B%5D=${TOKEN}&table=deals`,
    `%63onnection%5B%74oken%5D=${TOKEN}&table=deals`,
    `connection[token]=${TOKEN.replace('-', '%2D')}&table=deals`,
    `connection[token]=${TOKEN}&connection[token]=${TOKEN}`,
    `connection[]=${TOKEN}`,
    `connection=${TOKEN}`,
    `connection[a=b]=${TOKEN}`,
    `connection[token][x][y]=${TOKEN}`,
    `connection${'[a]'.repeat(12)}=${TOKEN}` // deeper than the server decodes (it refuses the body): redacted anyway
  ]
  for (const form of forms) {
    const redacted = redactBody(form, FORM)
    t.notMatch(decodeURIComponent(redacted.replaceAll('+', ' ')), TOKEN, `form ${form.replace(TOKEN, '<token>')}`)
    const restored = restoreBody(redacted, FORM, { token: TOKEN, connection: TOKEN, 0: TOKEN, a: TOKEN, 'a=b': TOKEN })
    if (!form.includes('[a][a]')) t.same(parseFormBody(restored), parseFormBody(form), 'restored to the same decoded body')
  }
  const json = JSON.stringify({ connection: { token: TOKEN }, table: 'deals' })
  for (const type of [`application/json; x=${FORM}`, 'Application/JSON; charset=utf-8', `application/json;${FORM}`]) {
    const redacted = redactBody(json, type)
    t.notMatch(redacted, TOKEN, `JSON under ${type}`)
    t.same(JSON.parse(restoreBody(redacted, type, { token: TOKEN })), JSON.parse(json), 'restored as JSON, not as a form')
  }
  for (const body of [
    `{"\\u0063onnection":{"token":"${TOKEN}"}}`,
    JSON.stringify({ connection: { token: [TOKEN] } }),
    JSON.stringify({ connection: { token: { deep: [TOKEN] } } }),
    JSON.stringify({ connection: [TOKEN] }),
    JSON.stringify({ connection: TOKEN })
  ]) {
    t.notMatch(redactBody(body, 'application/json'), TOKEN, `JSON ${body.replace(TOKEN, '<token>')}`)
  }
  t.notMatch(redactBody(`%63onnection=${TOKEN}`, 'text/plain'), TOKEN, 'an unreadable body naming connection only percent-encoded')

  for (const path of [`/api/data?secret=${TOKEN}`, `/api/data?secr%65t=${TOKEN}`, `/api/data?%73%65cret=${TOKEN}&x=1`, `/api/data?x=1&secret[]=${TOKEN}`, `/api/data?SECRET=${TOKEN}`]) {
    const redacted = redactPath(path)
    t.notMatch(redacted, TOKEN, path.replace(TOKEN, '<secret>'))
    t.match(redacted, /^\/api\/data\?/, 'the path and the other parameters stay')
  }
  t.equal(redactPath('/api/data?x=1&y=secret'), '/api/data?x=1&y=secret', 'a value that reads secret is not a secret parameter')
})

t.test('a recorded probe run replays with 0 differences against the same connector and lists them against a changed one', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-record-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  const file = join(directory, 'transcript.ndjson')
  const original = await liveServer(await createDemoAdapter({ token: TOKEN }))
  t.teardown(() => original.app.close())
  const recorder = await startRecorder({ target: original.url, file })
  const report = await probe({ baseUrl: `http://127.0.0.1:${recorder.port}`, settings: { token: TOKEN } })
  t.ok(report.ok, 'the probe passes through the recorder')
  await postForm(`http://127.0.0.1:${recorder.port}/api/data`, { connection: { token: TOKEN }, table: 'nope' })
  await recorder.close()

  const text = await readFile(file, 'utf8')
  const entries = parseTranscript(text)
  t.ok(entries.length >= 8, `${entries.length} requests recorded`)
  t.notMatch(text, TOKEN, 'the transcript holds no secret')
  t.ok(entries.every((entry) => entry.complete), 'every answer recorded whole')

  t.same(await replayTranscript(entries, original.url, { token: TOKEN }), [], '0 differences against the same connector')

  // The same data with one deliberate change: deals.TITLE renamed in the description and its values upper-cased.
  const changedAdapter = await createDemoAdapter({ token: TOKEN })
  const describe = changedAdapter.describeTable.bind(changedAdapter)
  changedAdapter.describeTable = async (table: string, context: RequestContext): Promise<FieldInfo[] | undefined> =>
    (await describe(table, context))?.map((field) => table === 'deals' && field.code === 'TITLE' ? { ...field, name: 'Deal title' } : field)
  const changed = await liveServer(changedAdapter)
  t.teardown(() => changed.app.close())
  const differences = await replayTranscript(entries, changed.url, { token: TOKEN })
  t.ok(differences.length > 0, `${differences.length} differences listed`)
  t.ok(differences.every((difference) => difference.table === 'deals'), 'only the changed table differs')
  t.match(differences[0]!.differences.join('\n'), /Deal title/, 'the difference shows the changed text')

  const same = captureIo()
  t.equal(await main(['replay', file, original.url, '--setting', `token=${TOKEN}`], same.io), 0, 'b24bi replay exits 0 without differences')
  t.match(same.text(), /0 answers differ/)
  const other = captureIo()
  t.equal(await main(['replay', file, changed.url, '--setting', `token=${TOKEN}`], other.io), 1, 'b24bi replay exits 1 with differences')
  t.match(other.text(), /\(deals\):\n {2}answer differs/)
  t.notMatch(original.logs.join('\n') + changed.logs.join('\n'), TOKEN, 'no secret in the servers\' logs either')
})
