import t from 'tap'
import { postForm } from '../../helpers/live-server.js'
import { serve } from './served.js'

// Finding 4, its last part: 3 pathological LIKE queries pushed down to DuckDB (demo) starved every other DuckDB
// query for 30-60 s (the libuv thread pool). Against `b24bi serve` running the demo: one tenant runs slow LIKE
// queries (as many as it may: its cap is 2), another tenant's small read still answers.
const ATTACKER = 'like-attacker-token-0d3b'
const OTHER = 'like-other-token-9a5e'
const PATTERN = '%_'.repeat(30) + '!' // 143-228 s per query on activities in the review
const LIMIT_MS = 10_000 // generous: the review saw 30-60 s and timeouts

t.test('slow LIKE queries on DuckDB from one tenant leave another tenant served', async (t) => {
  const server = await serve(t, { CONNECTOR_TOKEN: OTHER, CONNECTOR_TOKENS: ATTACKER, B24BI_DEADLINE_S: '20' })
  const controller = new AbortController()
  t.teardown(() => controller.abort())
  const slow = Array.from({ length: 3 }, async () => await fetch(`${server.url}/api/data`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ connection: { token: ATTACKER }, table: 'activities', select: ['ID'], filter: { '~SUBJECT': PATTERN } }),
    signal: controller.signal
  }).then(async (answer) => `${answer.status} ${(await answer.text()).slice(0, 60)}`, (error: Error) => error.name))
  await new Promise((resolve) => setTimeout(resolve, 2000)) // the slow queries are running
  const times: number[] = []
  for (let i = 0; i < 3; i++) {
    const started = performance.now()
    const answer = await postForm(`${server.url}/api/data`, { connection: { token: OTHER }, table: 'deals', select: ['ID'], limit: 5 })
    times.push(performance.now() - started)
    t.equal(answer.status, 200, `the other tenant's read ${i + 1}: ${answer.body.slice(0, 80)}`)
  }
  controller.abort()
  const outcomes = await Promise.all(slow)
  t.comment(`the other tenant's small reads took ${times.map((ms) => ms.toFixed(0)).join(', ')} ms while the slow LIKE queries ran; the slow ones: ${outcomes.join(' | ')}`)
  t.ok(Math.max(...times) < LIMIT_MS, `each under ${LIMIT_MS / 1000} s`)
  t.ok(outcomes.filter((outcome) => outcome.startsWith('429')).length >= 1, 'the third slow query was refused: the tenant holds 2 at most')
})
