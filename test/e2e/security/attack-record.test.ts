import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { startRecorder } from '../../../src/cli/commands/record.js'
import { replayTranscript } from '../../../src/cli/commands/replay.js'
import { parseTranscript } from '../../../src/cli/transcript.js'
import { scratchFolder, serve } from './served.js'

// Finding 8: `b24bi record` kept the connection token for spellings the server accepts (`connection[token][]`,
// `connection[token][0]`, a JSON body under a content type naming the form type, a percent-encoded key) and the shared
// secret under `?secr%65t=`. Each shape goes through the recorder to `b24bi serve` (the demo, a shared secret on):
// the server accepts it (200), the transcript holds neither secret, and the transcript replays with 0 differences.
const TOKEN = 'record-attack-token-0f3b9c'
const SECRET = 'record-attack-secret-77d1a2'

const FORM = 'application/x-www-form-urlencoded'
const SHAPES: ReadonlyArray<{ name: string, type: string, body: string }> = [
  { name: 'form connection[token]', type: FORM, body: `connection%5Btoken%5D=${TOKEN}&table=deals&select%5B0%5D=ID&limit=2` },
  { name: 'form connection[token][]', type: FORM, body: `connection[token][]=${TOKEN}&table=deals&select[]=ID&limit=2` },
  { name: 'form connection[token][0]', type: FORM, body: `connection[token][0]=${TOKEN}&table=deals&select[0]=ID&limit=2` },
  { name: 'form percent-encoded key %63onnection%5Btoken%5D', type: FORM, body: `%63onnection%5B%74oken%5D=${TOKEN}&table=deals&limit=2` },
  { name: 'form with a charset, the value percent-encoded', type: `${FORM}; charset=UTF-8`, body: `connection%5Btoken%5D=${encodeURIComponent(TOKEN).replace('-', '%2D')}&table=deals&limit=2` },
  { name: 'JSON under a content type naming the form type', type: `application/json; x=${FORM}`, body: JSON.stringify({ connection: { token: TOKEN }, table: 'deals', limit: 2 }) },
  { name: 'JSON with the key escaped', type: 'application/json', body: `{"\\u0063onnection":{"token":"${TOKEN}"},"table":"deals","limit":2}` },
  { name: 'JSON with the value as a one-item list', type: 'Application/JSON', body: JSON.stringify({ connection: { token: [TOKEN] }, table: 'deals', limit: 2 }) }
]

t.test('record keeps no connection value and no shared secret in any shape the server accepts', async (t) => {
  const server = await serve(t, { CONNECTOR_TOKEN: TOKEN, B24BI_SHARED_SECRET: SECRET })
  const file = join(scratchFolder(t, 'b24bi-record-attack-'), 'transcript.ndjson')
  const recorder = await startRecorder({ target: server.url, file })
  let closed = false
  t.teardown(async () => { if (!closed) await recorder.close() })
  const via = `http://127.0.0.1:${recorder.port}`

  for (const shape of SHAPES) {
    const answer = await fetch(`${via}/api/data?secret=${SECRET}`, { method: 'POST', headers: { 'content-type': shape.type }, body: shape.body })
    const text = await answer.text()
    t.equal(answer.status, 200, `${shape.name}: the server accepts it (${text.slice(0, 120)})`)
  }
  for (const query of [`secr%65t=${SECRET}`, `%73ecret=${SECRET}`, `secret=${encodeURIComponent(SECRET)}&x=1`]) {
    const answer = await fetch(`${via}/api/check?${query}`, { method: 'POST', headers: { 'content-type': FORM }, body: `connection%5Btoken%5D=${TOKEN}` })
    await answer.arrayBuffer()
    t.equal(answer.status, 200, `?${query.replace(SECRET, '<secret>')}: the guard accepts it`)
  }
  await recorder.close()
  closed = true

  const text = await readFile(file, 'utf8')
  const entries = parseTranscript(text)
  t.equal(entries.length, SHAPES.length + 3, 'every request recorded')
  t.notMatch(text, TOKEN, 'the transcript holds no token')
  t.notMatch(text, SECRET, 'the transcript holds no shared secret')
  t.notMatch(decodeURIComponent(text.replaceAll('+', ' ')), TOKEN, 'not even percent-encoded')
  t.ok(entries.every((entry) => entry.status === 200), 'every recorded answer is a 200')

  // Replay: the markers get the token back in the same shape; the guard's secret comes with the replayed path,
  // which holds `[redacted]`, so the replay runs against a server without one.
  const open = await serve(t, { CONNECTOR_TOKEN: TOKEN })
  const replayable = entries.map((entry) => ({ ...entry, path: entry.path.replace(/\?.*$/, '') }))
  t.same(await replayTranscript(replayable, open.url, { token: TOKEN }), [], 'every shape replays with 0 differences')
})
