import t from 'tap'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { buildServer } from '../../../src/server/index.js'
import { URL } from '../../helpers/sql/postgres-fixture.js'

const TOKEN = 'pg-ready-token-1'

// Regression (review-scale §1): /ready ran SELECT 1 through the data pool, so a replica streaming at its pool
// size timed out its probes and the balancer took a healthy replica out of service.
t.test('/ready stays 200 while every connection of the data pool is busy streaming', async (t) => {
  const adapter = new PostgresAdapter({
    url: URL,
    token: TOKEN,
    poolSize: 2,
    datasets: [{ name: 'slow', sql: 'SELECT n FROM generate_series(1, 3) AS n, LATERAL (SELECT pg_sleep(1)) AS pause' }]
  })
  const app = await buildServer({ adapter, logger: false, readiness: { cacheMs: 0, timeoutMs: 2000 } })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const body = `connection[token]=${TOKEN}&table=slow`
  const reads = Array.from({ length: 2 }, async () => await fetch(`${base}/api/data`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body
  }).then(async (response) => ({ status: response.status, text: await response.text() })))
  // Both data connections are held by the sleeping reads for about 3 s; probe during that time.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const probes: number[] = []
  for (let i = 0; i < 3; i++) {
    probes.push((await fetch(`${base}/ready`)).status)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  const answers = await Promise.all(reads)
  t.same(probes, [200, 200, 200], 'every probe answered ready while the pool was busy')
  t.same(answers.map((answer) => answer.status), [200, 200])
  t.same(answers.map((answer) => JSON.parse(answer.text).length), [4, 4], 'both reads complete: header and three rows')
})
