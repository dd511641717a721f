import t from 'tap'
import { buildServer } from '../../../src/server/index.js'
import { eventually } from '../../helpers/eventually.js'
import { SlowAdapter } from '../../helpers/slow-adapter.js'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'

t.test('rate limit: 429 coded, keyed per credential set, probes not limited', async (t) => {
  const app = await buildServer({ adapter: new SlowAdapter(), logger: false, rateLimit: { max: 3, windowSeconds: 600 } })
  t.teardown(() => app.close())
  const call = async (token: string, extra: Record<string, string> = {}): Promise<{ statusCode: number, body: string, headers: Record<string, unknown> }> =>
    await app.inject({ method: 'POST', url: '/api/table_list', ...form({ connection: { token, ...extra } }) })
  for (let i = 0; i < 3; i++) t.equal((await call('ok-alpha')).statusCode, 200)
  const limited = await call('ok-alpha')
  t.equal(limited.statusCode, 429)
  t.match(JSON.parse(limited.body), { error: 'B24BI_ERR_RATE_LIMITED', message: /retry in \d+ seconds/ })
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After')
  t.equal((await call('ok-alpha', { ignored: 'x' })).statusCode, 429, 'undeclared keys do not make a new bucket')
  t.equal((await call('ok-beta')).statusCode, 200, 'another credential set has its own bucket')
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200, 'probes are never limited')
})

t.test('under pressure: 503 coded with Retry-After; probes still answer', async (t) => {
  const app = await demoServer({ underPressure: { maxHeapUsedBytes: 1, retryAfterSeconds: 7 } })
  t.teardown(() => app.close())
  // The heap is sampled on an interval: poll until the first sample lands (bounded, no timing asserted).
  let response = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: TOKEN } }) })
  await eventually(async () => {
    response = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: TOKEN } }) })
    return response.statusCode === 503
  }, 20_000)
  t.equal(response.statusCode, 503)
  t.equal(response.headers['retry-after'], '7')
  t.same(response.json(), { error: 'B24BI_ERR_OVERLOADED', message: 'The connector is overloaded; retry later' })
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200)
})

t.test('body limit and request shape errors stay coded', async (t) => {
  const app = await demoServer({ bodyLimit: 2048 })
  t.teardown(() => app.close())
  const big = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: TOKEN }, pad: 'x'.repeat(4096) }) })
  t.equal(big.statusCode, 413)
  t.equal(big.json().error, 'B24BI_ERR_REQUEST_TOO_LARGE')
})
