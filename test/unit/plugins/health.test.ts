import t from 'tap'
import { buildServer } from '../../../src/server/index.js'
import { SlowAdapter } from '../../helpers/slow-adapter.js'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'

t.test('/health answers while the source is down; /ready answers 503 with Retry-After until it is back', async (t) => {
  const adapter = new SlowAdapter()
  const app = await buildServer({ adapter, logger: false, readiness: { cacheMs: 0 } })
  t.teardown(() => app.close())
  adapter.sourceUp = false
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const down = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(down.statusCode, 503)
  t.ok(Number(down.headers['retry-after']) > 0, 'Retry-After')
  adapter.sourceUp = true
  const up = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(up.statusCode, 200)
})

t.test('/ready reuses one answer for cacheMs, counts a source slower than timeoutMs as down, and says draining', async (t) => {
  const adapter = new SlowAdapter()
  let checks = 0
  let delayMs = 0
  adapter.ready = async () => {
    checks++
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    return true
  }
  const app = await buildServer({ adapter, logger: false, readiness: { cacheMs: 60_000, timeoutMs: 200 } })
  t.teardown(() => app.close())
  const answers = await Promise.all(Array.from({ length: 10 }, async () => await app.inject({ method: 'GET', url: '/ready' })))
  t.same(answers.map((answer) => answer.statusCode), Array(10).fill(200))
  t.equal(checks, 1, 'ten probes, one check of the source')

  const slow = await buildServer({ adapter, logger: false, readiness: { cacheMs: 0, timeoutMs: 200 } })
  t.teardown(() => slow.close())
  delayMs = 2000
  const late = await slow.inject({ method: 'GET', url: '/ready' })
  t.equal(late.statusCode, 503, 'a check that does not answer within timeoutMs is not ready')

  t.equal(app.readiness.draining, false)
  app.readiness.drain()
  const draining = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(draining.statusCode, 503)
  t.same(draining.json(), { status: 'draining' })
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health stays process-only')
})

t.test('helmet headers are on every answer, the connector routes included', async (t) => {
  const app = await demoServer()
  t.teardown(() => app.close())
  for (const response of [
    await app.inject({ method: 'GET', url: '/health' }),
    await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: TOKEN } }) })
  ]) {
    t.equal(response.statusCode, 200)
    t.equal(response.headers['x-content-type-options'], 'nosniff')
    t.equal(response.headers['x-frame-options'], 'SAMEORIGIN')
    t.notOk(response.headers['content-security-policy'], 'no CSP: JSON answers with nosniff (helmet rebuilds it per request)')
    t.match(response.headers['strict-transport-security'], /max-age=/)
    t.notOk(response.headers['x-powered-by'])
  }
  const off = await demoServer({ helmet: false })
  t.teardown(() => off.close())
  t.notOk((await off.inject({ method: 'GET', url: '/health' })).headers['x-content-type-options'], 'helmet: false turns them off')
})

t.test('an unknown path gets a coded 404', async (t) => {
  const app = await demoServer()
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/wp-admin?secret=abc' })
  t.equal(response.statusCode, 404)
  t.same(response.json(), { error: 'B24BI_ERR_ROUTE_NOT_FOUND', message: 'No route GET /wp-admin' }, 'the query is not echoed')
})

t.test('/docs serves OpenAPI with the four endpoints from their schemas, only when enabled', async (t) => {
  const app = await demoServer({ docs: true })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(response.statusCode, 200)
  const document = response.json() as { openapi: string, paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>, required?: string[] } }> } }>> }
  t.match(document.openapi, /^3\./)
  for (const path of ['/api/check', '/api/table_list', '/api/table_description', '/api/data']) {
    const content = document.paths[path]?.post?.requestBody?.content
    t.ok(content?.['application/x-www-form-urlencoded'] !== undefined && content['application/json'] !== undefined, `${path}: form and JSON bodies`)
  }
  const data = document.paths['/api/data']?.post?.requestBody?.content['application/json']?.schema
  t.ok(data?.properties.table !== undefined && data.properties.filter !== undefined, 'urlData body documented from the TypeBox schema')
  t.same(data?.required?.sort(), ['connection', 'table'])
  t.equal((await app.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true, 'the UI answers')
  const plain = await demoServer()
  t.teardown(() => plain.close())
  t.equal((await plain.inject({ method: 'GET', url: '/docs/json' })).statusCode, 404, 'off by default')
})
