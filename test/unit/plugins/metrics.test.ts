import t from 'tap'
import { buildServer } from '../../../src/server/index.js'
import { SlowAdapter } from '../../helpers/slow-adapter.js'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'

function sample (text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

t.test('after an urlData call /metrics counts its rows, bytes, duration and the request', async (t) => {
  const app = await demoServer()
  t.teardown(() => app.close())
  const data = await app.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: TOKEN }, table: 'deals', limit: '37' }) })
  t.equal(data.statusCode, 200)
  t.equal((data.json() as unknown[]).length, 38, 'header and 37 rows')
  const rejected = await app.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: 'wrong' }, table: 'deals' }) })
  t.equal(rejected.statusCode, 401)

  const scrape = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(scrape.statusCode, 200)
  t.match(scrape.headers['content-type'], /^text\/plain/)
  const text = scrape.body
  t.equal(sample(text, 'b24bi_rows_served_total', 'table="deals"'), 37, 'rows counted')
  t.ok((sample(text, 'b24bi_bytes_served_total', 'table="deals"') ?? 0) > 0, 'bytes counted')
  t.equal(sample(text, 'b24bi_data_duration_seconds_count', 'outcome="ok"'), 1, 'one urlData answer in the histogram')
  t.equal(sample(text, 'b24bi_requests_total', 'endpoint="/api/data",status="200"'), 1)
  t.equal(sample(text, 'b24bi_requests_total', 'endpoint="/api/data",status="401"'), 1)
  t.match(text, /b24bi_process_resident_memory_bytes \d/, 'process metrics')
  t.notMatch(text, new RegExp(TOKEN), 'no secret in the metrics')
})

t.test('pool sizes come from the adapter metrics() hook; source failures count as adapter errors', async (t) => {
  const adapter = new SlowAdapter({ batches: 1 })
  const app = await buildServer({ adapter, logger: false })
  t.teardown(() => app.close())
  adapter.pool = { total: 7, idle: 2, waiting: 1 }
  adapter.describeTable = async () => { throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2') }
  const failed = await app.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: 'ok' }, table: 'numbers' }) })
  t.equal(failed.statusCode, 502)
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.equal(sample(text, 'b24bi_pool_connections', 'state="total"'), 7)
  t.equal(sample(text, 'b24bi_pool_connections', 'state="waiting"'), 1)
  t.equal(sample(text, 'b24bi_adapter_errors_total', 'adapter="SlowAdapter",code="B24BI_ERR_SOURCE_FAILED"'), 1)
})

t.test('metrics: false removes the endpoint', async (t) => {
  const app = await demoServer({ metrics: false })
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
})

t.test('two servers in one process: each /metrics counts only its own urlData rows', async (t) => {
  const first = await demoServer()
  const second = await demoServer()
  t.teardown(() => first.close())
  t.teardown(() => second.close())
  t.equal((await first.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: TOKEN }, table: 'deals', limit: '3' }) })).statusCode, 200)
  t.equal((await second.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: TOKEN }, table: 'deals', limit: '5' }) })).statusCode, 200)
  const firstText = (await first.inject({ method: 'GET', url: '/metrics' })).body
  const secondText = (await second.inject({ method: 'GET', url: '/metrics' })).body
  t.equal(sample(firstText, 'b24bi_rows_served_total', 'table="deals"'), 3, 'the first server counts its 3 rows only')
  t.equal(sample(secondText, 'b24bi_rows_served_total', 'table="deals"'), 5, 'the second server counts its 5 rows only')
  t.equal(sample(firstText, 'b24bi_data_duration_seconds_count', 'outcome="ok"'), 1)
  t.equal(sample(secondText, 'b24bi_data_duration_seconds_count', 'outcome="ok"'), 1)
})

t.test('a server that never answered urlData counts no rows while another one does', async (t) => {
  const busy = await demoServer()
  const idle = await demoServer()
  t.teardown(() => busy.close())
  t.teardown(() => idle.close())
  await idle.ready()
  t.equal((await busy.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: TOKEN }, table: 'deals', limit: '3' }) })).statusCode, 200)
  const idleText = (await idle.inject({ method: 'GET', url: '/metrics' })).body
  t.equal(sample(idleText, 'b24bi_rows_served_total', 'table="deals"'), undefined, 'no rows counted on the idle server')
})

t.test('instance labels every series with the replica that counted it', async (t) => {
  const app = await demoServer({ metrics: { instance: 'replica-a:3000' } })
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: TOKEN }, table: 'deals', limit: '2' }) })).statusCode, 200)
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.equal(sample(text, 'b24bi_rows_served_total', 'table="deals",instance="replica-a:3000"'), 2)
  t.match(text, /b24bi_process_resident_memory_bytes\{instance="replica-a:3000"\} \d/, 'process metrics too')
})
