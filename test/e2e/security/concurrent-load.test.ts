import t from 'tap'
import pg from 'pg'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { benchTable, seedBenchTable } from '../../../bench/seed.js'
import { POSTGRES } from '../../helpers/services.js'
import { spawnServer } from './child-process.js'

const ROWS = 1_000_000
const REQUESTS = 200
const STRIDE = ROWS / REQUESTS
// Each answer reads 500 rows of its own stretch of the table. Whole stretches (1M rows in all) made the last queued
// requests wait longer than b24bi/postgres's 10 s pool checkout timeout on a loaded 2-core machine (reported).
const SLICE = 500
const TOKEN = 'load-token-31aa'
const MB = 1024 * 1024
const RETRIES = 200

t.test(`${REQUESTS} concurrent urlData requests on a ${ROWS}-row PostgreSQL table: none fails (beyond the global cap a coded 503, retried), RSS bounded`, async (t) => {
  const pool = new pg.Pool({ connectionString: POSTGRES.url, max: 1 })
  await seedBenchTable(pool, ROWS)
  await pool.end()
  const table = benchTable(ROWS)
  // Beyond the server's 64 answers at once a read is refused with a coded 503 and Retry-After, and retried the
  // way the portal retries; the pool of 32 queues the others.
  const server = await spawnServer(['postgres', POSTGRES.url, table],
    { CHILD_TOKEN: TOKEN, CHILD_POOL_SIZE: '32', CHILD_READS_PER_CREDENTIAL: String(REQUESTS) })
  t.teardown(() => { server.child.kill('SIGKILL') })
  await request(`${server.url}/api/data`, { method: 'POST', body: JSON.stringify({ connection: { token: TOKEN }, table, limit: 10 }), headers: { 'content-type': 'application/json' } }).then(async (answer) => await answer.body.text())
  const startRss = server.peakRss()
  const started = performance.now()

  let refused = 0
  const results = await Promise.all(Array.from({ length: REQUESTS }, async (_, index) => {
    const body = JSON.stringify({ connection: { token: TOKEN }, table, select: ['ID', 'AMOUNT', 'CREATED_AT'], filter: { '>ID': index * STRIDE, '<=ID': index * STRIDE + SLICE } })
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await request(`${server.url}/api/data`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
        const text = await answer.body.text()
        if (answer.statusCode === 503 && attempt < RETRIES && answer.headers['retry-after'] !== undefined && text.includes('B24BI_ERR_OVERLOADED')) {
          refused++
          await sleep(100 + Math.random() * 400)
          continue
        }
        return answer.statusCode === 200 ? (JSON.parse(text) as unknown[]).length - 1 : `${answer.statusCode} ${text.slice(0, 200)}`
      } catch (error) {
        return `broken: ${(error as Error).message}`
      }
    }
  }))
  t.comment(`${REQUESTS} answers, ${REQUESTS * SLICE} rows in ${((performance.now() - started) / 1000).toFixed(1)} s; ${refused} coded 503s retried`)
  const failed = results.filter((result) => result !== SLICE)
  if (failed.length > 0) t.comment(server.stderr().split('\n').slice(0, 3).join('\n'))
  t.same(failed, [], `all ${REQUESTS} answered ${SLICE} rows each`)
  const peak = server.peakRss()
  t.comment(`server RSS after warm-up ${(startRss / MB).toFixed(0)} MB, peak under ${REQUESTS} concurrent answers ${(peak / MB).toFixed(0)} MB`)
  t.ok(peak - startRss < 512 * MB, `peak RSS growth ${((peak - startRss) / MB).toFixed(0)} MB stays under 512 MB`)
})
