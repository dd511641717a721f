import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { HttpAdapter, type HttpAdapterOptions, type HttpTable } from '../../../adapters/http/index.js'
import { retryAfterMs } from '../../../adapters/http/http-client.js'
import { buildServer } from '../../../src/server/index.js'
import { conformance } from '../../../src/testing/index.js'
import { API_KEY, startFixtureApi } from './fixture-api.js'

const FIELDS = [
  { code: 'ID', type: 'int', path: 'id' },
  { code: 'STATUS', type: 'string', path: 'status' },
  { code: 'AMOUNT', type: 'double', path: 'amount' },
  { code: 'CREATED_AT', type: 'datetime', path: 'created_at', zoned: true },
  { code: 'DAY', type: 'date', path: 'day' },
  { code: 'BIG', type: 'int', path: 'big' }
] as const

const TABLES: HttpTable[] = [
  {
    code: 'by_page',
    url: '/page',
    rows: 'data',
    fields: FIELDS,
    pagination: { style: 'page', sizeParam: 'per_page', size: 10 },
    filters: [{ field: 'STATUS', op: 'eq', param: 'status' }, { field: 'CREATED_AT', op: 'gte', param: 'created_from' }]
  },
  { code: 'by_offset', url: '/offset', rows: 'items', fields: FIELDS, pagination: { style: 'offset', size: 15 } },
  { code: 'by_cursor', url: '/cursor', rows: 'results', fields: FIELDS, pagination: { style: 'cursor', next: 'meta.next' } },
  { code: 'by_link', url: '/link', pagination: { style: 'link' }, types: { customer: 'string' } },
  { code: 'storm', url: '/storm', rows: 'data', fields: FIELDS, pagination: { style: 'page', size: 10 } },
  { code: 'busy', url: '/always-busy', fields: FIELDS },
  {
    code: 'big',
    url: '/big',
    rows: 'data',
    pagination: { style: 'page', size: 1000 },
    fields: [{ code: 'ID', type: 'int', path: 'id' }, { code: 'LABEL', type: 'string', path: 'label' }, { code: 'VALUE', type: 'double', path: 'value' }]
  }
]

async function setup (t: Test, options: Partial<HttpAdapterOptions> = {}): Promise<{ adapter: HttpAdapter, stats: Awaited<ReturnType<typeof startFixtureApi>>['stats'], inject: (body: Record<string, unknown>) => Promise<{ status: number, json: unknown }> }> {
  const api = await startFixtureApi()
  t.teardown(() => api.app.close())
  const adapter = new HttpAdapter({
    baseUrl: api.url,
    settings: [{ code: 'apiKey', name: 'API key', type: 'STRING', secret: true }],
    headers: { authorization: 'Bearer {{apiKey}}' },
    retryBaseMs: 1,
    tables: TABLES,
    ...options
  })
  // The storm test reads four tables at once with one key: above the default of 2 answers per credential set.
  const server = await buildServer({ adapter, logger: false, runtime: { concurrentReadsPerCredential: 4 } })
  t.teardown(() => server.close())
  const inject = async (body: Record<string, unknown>): Promise<{ status: number, json: unknown }> => {
    const endpoint = body.endpoint as string ?? 'data'
    const response = await server.inject({ method: 'POST', url: `/api/${endpoint}`, payload: { connection: { apiKey: API_KEY }, ...body, endpoint: undefined } })
    return { status: response.statusCode, json: JSON.parse(response.body) }
  }
  return { adapter, stats: api.stats, inject }
}

t.test('every pagination style reads every row, in order, big numbers exact', async (t) => {
  const { inject } = await setup(t)
  for (const table of ['by_page', 'by_offset', 'by_cursor', 'by_link']) {
    const answer = await inject({ table, select: table === 'by_link' ? ['ID', 'BIG'] : ['ID', 'BIG'] })
    t.equal(answer.status, 200, `${table} answered`)
    const [header, ...rows] = answer.json as unknown[][]
    t.same(header, ['ID', 'BIG'])
    t.same(rows.map((row) => row[0]), Array.from({ length: 95 }, (_, i) => i + 1), `${table}: 95 rows in order`)
  }
})

t.test('64-bit integers keep every digit (the raw answer text)', async (t) => {
  const api = await startFixtureApi()
  t.teardown(() => api.app.close())
  const adapter = new HttpAdapter({ baseUrl: api.url, headers: { authorization: `Bearer ${API_KEY}` }, tables: [TABLES[0]!] })
  const server = await buildServer({ adapter, logger: false })
  t.teardown(() => server.close())
  const response = await server.inject({ method: 'POST', url: '/api/data', payload: { connection: {}, table: 'by_page', select: ['BIG'], limit: 2 } })
  t.equal(response.body, '[["BIG"],[9007199254740994],[9007199254740995]]')
})

t.test('fields are inferred from the first page, with overrides', async (t) => {
  const { inject } = await setup(t)
  const answer = await inject({ endpoint: 'table_description', table: 'by_link' })
  t.same(answer.json, [
    { code: 'ID', name: 'id', type: 'int' },
    { code: 'STATUS', name: 'status', type: 'string' },
    { code: 'AMOUNT', name: 'amount', type: 'double' },
    { code: 'CREATED_AT', name: 'created_at', type: 'datetime' },
    { code: 'DAY', name: 'day', type: 'date' },
    { code: 'CUSTOMER', name: 'customer', type: 'string' },
    { code: 'BIG', name: 'big', type: 'int' }
  ])
})

t.test('inferred fields are reused for catalogSeconds, then inferred again: a key the API added shows on every replica', async (t) => {
  let keys = ['id']
  let requests = 0
  const api = createServer((_request, response) => {
    requests++
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify([Object.fromEntries(keys.map((key, i) => [key, i + 1]))]))
  })
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { api.close() })
  const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`
  const describe = async (catalogSeconds?: number): Promise<() => Promise<string[]>> => {
    const server = await buildServer({ adapter: new HttpAdapter({ baseUrl, tables: [{ code: 'items', url: 'items' }], ...(catalogSeconds === undefined ? {} : { catalogSeconds }) }), logger: false })
    t.teardown(() => server.close())
    return async () => {
      const response = await server.inject({ method: 'POST', url: '/api/table_description', payload: { connection: {}, table: 'items' } })
      return (JSON.parse(response.body) as Array<{ code: string }>).map((field) => field.code)
    }
  }
  const byDefault = await describe()
  const everyCall = await describe(0)
  t.same(await byDefault(), ['ID'])
  t.same(await everyCall(), ['ID'])
  keys = ['id', 'name']
  const before = requests
  t.same(await byDefault(), ['ID'], 'within the default 15 s the inferred fields are reused')
  t.equal(requests, before, 'no page fetched for it')
  t.same(await everyCall(), ['ID', 'NAME'], 'once expired they are inferred again')
  t.equal(requests, before + 1, 'from a fresh first page')
})

t.test('filters the API supports go into the query string; the rest runs in the runtime', async (t) => {
  const { inject, stats } = await setup(t)
  const answer = await inject({ table: 'by_page', select: ['ID', 'STATUS'], filter: { STATUS: 'paid', '>=CREATED_AT': '2025-01-03 00:00:00', '<ID': '60' } })
  t.equal(answer.status, 200)
  const rows = (answer.json as unknown[][]).slice(1)
  t.same(rows.map((row) => row[0]), Array.from({ length: 95 }, (_, i) => i + 1).filter((id) => id % 3 === 1 && id >= 48 && id < 60))
  const sent = stats.queries.filter((query) => query.path === '/page' && query.status !== undefined)
  t.ok(sent.length > 0 && sent.every((query) => query.status === 'paid' && query.created_from === '2025-01-03T00:00:00.000Z'),
    'status and created_from were sent to the API')
})

t.test('a limit stops the pages early', async (t) => {
  const { inject, stats } = await setup(t)
  const answer = await inject({ table: 'by_page', limit: 12 })
  t.equal((answer.json as unknown[]).length, 13)
  t.same(stats.queries.filter((query) => query.path === '/page' && query.page !== undefined).map((query) => query.page), ['1', '2'], 'two pages of 10 fetched, not ten')
})

t.test('a 429/503 storm: retried with Retry-After honoured, never more requests in flight than the cap', async (t) => {
  const { inject, stats } = await setup(t, { concurrency: 2 })
  const answers = await Promise.all([1, 2, 3, 4].map(async () => await inject({ table: 'storm', select: ['ID'] })))
  for (const answer of answers) {
    t.equal(answer.status, 200)
    t.same((answer.json as unknown[][]).slice(1).map((row) => row[0]), Array.from({ length: 95 }, (_, i) => i + 1))
  }
  t.ok(stats.rejected >= 10, `the API refused ${stats.rejected} requests`)
  t.ok(stats.maxInFlight <= 2, `at most 2 requests in flight (saw ${stats.maxInFlight})`)
})

t.test('an API that stays down: a coded 502, no URL or key in the answer', async (t) => {
  const { inject } = await setup(t, { retries: 2 })
  const answer = await inject({ table: 'busy' })
  t.equal(answer.status, 502)
  t.match(answer.json, { error: 'B24BI_ERR_SOURCE_UNAVAILABLE' })
  t.notMatch(JSON.stringify(answer.json), /127\.0\.0\.1|fixture-key|always-busy/)
})

t.test('a wrong key is rejected through the API (401)', async (t) => {
  const { inject } = await setup(t)
  const response = await inject({ endpoint: 'check', connection: { apiKey: 'wrong-key-123' } })
  t.equal(response.status, 401)
})

t.test('configuration mistakes fail at construction', async (t) => {
  t.throws(() => new HttpAdapter({ tables: [{ code: 'x', url: 'https://api.example.com/{{token}}' }] }), { code: 'B24BI_ERR_CONFIG_INVALID' })
  t.throws(() => new HttpAdapter({ tables: [] }), { code: 'B24BI_ERR_CONFIG_INVALID' })
  t.throws(() => new HttpAdapter({ tables: [{ code: 'x', url: '/relative' }] }), { code: 'B24BI_ERR_CONFIG_INVALID' })
  t.throws(() => new HttpAdapter({ tables: [{ code: 'x', url: 'https://a.example/', pagination: { style: 'cursor', next: '' } }] }), { code: 'B24BI_ERR_CONFIG_INVALID' })
})

t.test('Retry-After: seconds or an HTTP date', async (t) => {
  t.equal(retryAfterMs('3'), 3000)
  t.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000)
  t.equal(retryAfterMs(undefined), undefined)
  t.equal(retryAfterMs('soon'), undefined)
})

t.test('the conformance kit passes; 100k rows stream with flat memory', async (t) => {
  const api = await startFixtureApi({ bigTotal: 100_000 })
  t.teardown(() => api.app.close())
  const adapter = new HttpAdapter({
    baseUrl: api.url,
    settings: [{ code: 'apiKey', name: 'API key', type: 'STRING', secret: true }],
    headers: { authorization: 'Bearer {{apiKey}}' },
    tables: TABLES.filter((table) => !['storm', 'busy'].includes(table.code))
  })
  const report = await conformance(t, {
    adapter,
    connection: { apiKey: API_KEY },
    sample: { table: 'by_page', seed: 7 },
    load: { table: 'big' },
    fixtures: [{ table: 'by_page', field: 'BIG', values: ['9007199254740994', '9007199254741088'] },
      { table: 'by_page', field: 'CREATED_AT', values: ['2025-01-01 02:00:00'], timeZone: 'Europe/Berlin' }],
    thresholds: { maxRssGrowthMb: 150 }
  })
  t.equal(report.measurements.largeReadRows, 100_000)
})
