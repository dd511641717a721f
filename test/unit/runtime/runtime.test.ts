import t from 'tap'
import type { FieldInfo, TableInfo } from '../../../src/core/field-types.js'
import { buildServer } from '../../../src/server/index.js'
import { MemoryAdapter } from '../../helpers/memory-adapter.js'

const fields: FieldInfo[] = [
  { code: 'ID', type: 'int' },
  { code: 'NAME', type: 'string' },
  { code: 'DAY', type: 'date' },
  { code: 'AMOUNT', type: 'money' }
]
const rows = Array.from({ length: 10 }, (_, i) => ({
  ID: i + 1,
  NAME: `item ${i + 1}`,
  DAY: `2026-01-${String(i + 1).padStart(2, '0')}`,
  AMOUNT: i % 3 === 0 ? null : `${i}00.5`
}))

async function data (adapter: MemoryAdapter, body: Record<string, unknown>, runtime = {}) {
  const app = await buildServer({ adapter, logger: false, runtime })
  const answer = await app.inject({ method: 'POST', url: '/api/data', payload: { connection: {}, table: 'items', ...body } })
  await app.close()
  return answer
}

t.test('an adapter that pushes nothing down still answers filters and limits exactly', async (t) => {
  const adapter = new MemoryAdapter(fields, rows)
  const answer = await data(adapter, { select: ['NAME', 'ID'], filter: { '>=DAY': '03.01.2026', '!AMOUNT': null }, limit: 3 })
  t.equal(answer.statusCode, 200)
  t.same(answer.json(), [['NAME', 'ID'], ['item 3', 3], ['item 5', 5], ['item 6', 6]])
  t.equal(adapter.plans[0]!.filter, undefined, 'nothing was pushed down')
  t.equal(adapter.plans[0]!.limit, undefined, 'limit not pushed down')
  t.same(adapter.plans[0]!.fields.map((field) => field.code), ['NAME', 'ID', 'DAY', 'AMOUNT'], 'filter-only fields are read after the selected ones')
  t.equal(adapter.returned, 1, 'the source iterator was closed once the limit was reached')
})

t.test('residual filtering per field and operator', async (t) => {
  const adapter = new MemoryAdapter(fields, rows, { capabilities: { limit: true, filter: (field, op) => field.code === 'DAY' && op === 'gte' } })
  const answer = await data(adapter, { select: ['ID'], filter: { '>=DAY': '2026-01-05', '<ID': '8' }, limit: 2 })
  t.same(answer.json(), [['ID'], [5], [6]])
  const plan = adapter.plans[0]!
  t.match(plan.filter, { kind: 'condition', field: 'DAY', op: 'gte' }, 'the supported condition was pushed down')
  t.equal(plan.limit, undefined, 'no limit is pushed while a residual filter runs after the adapter')
})

t.test('an adapter that pushes everything gets the whole filter and the limit', async (t) => {
  const adapter = new MemoryAdapter(fields, rows, { capabilities: { limit: true, filter: true } })
  await data(adapter, { filter: { LOGIC: 'OR', ID: '1', '%NAME': 'ITEM 2' }, limit: 4 })
  t.match(adapter.plans[0]!.filter, { kind: 'group', logic: 'OR' })
  t.equal(adapter.plans[0]!.limit, 4)
})

t.test('maxRows: a longer answer fails with a code instead of being cut short', async (t) => {
  const adapter = new MemoryAdapter(fields, rows, { batch: 100 })
  const over = await data(adapter, {}, { maxRows: 5 })
  t.equal(over.statusCode, 400)
  t.equal(over.json().error, 'B24BI_ERR_LIMIT_EXCEEDED')
  const within = await data(new MemoryAdapter(fields, rows), { limit: 5 }, { maxRows: 5 })
  t.equal(within.statusCode, 200)
  t.equal((within.json() as unknown[]).length, 6)
})

t.test('renameFields gives the portal valid codes and reads the source names', async (t) => {
  const odd: FieldInfo[] = [{ code: 'id', type: 'int' }, { code: 'created at', type: 'date' }]
  const adapter = new MemoryAdapter(odd, [{ id: 1, 'created at': '2026-02-03' }])
  const app = await buildServer({ adapter, logger: false, runtime: { renameFields: { items: { id: 'ID', 'created at': 'CREATED_AT' } } } })
  t.teardown(() => app.close())
  const description = await app.inject({ method: 'POST', url: '/api/table_description', payload: { connection: {}, table: 'items' } })
  t.same(description.json(), [{ code: 'ID', name: 'ID', type: 'int' }, { code: 'CREATED_AT', name: 'CREATED_AT', type: 'date' }])
  const answer = await app.inject({ method: 'POST', url: '/api/data', payload: { connection: {}, table: 'items', filter: { CREATED_AT: '03.02.2026' } } })
  t.same(answer.json(), [['ID', 'CREATED_AT'], [1, '2026-02-03']])
})

t.test('init is lazy, single-flight, retried after a failure; driver messages never reach the portal', async (t) => {
  const adapter = new MemoryAdapter(fields, rows, { failInit: 1 })
  const app = await buildServer({ adapter, logger: false })
  t.teardown(() => app.close())
  t.equal(adapter.inits, 0, 'not initialised before the first request')
  const first = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: {} } })
  t.equal(first.statusCode, 502)
  t.equal(first.json().error, 'B24BI_ERR_SOURCE_FAILED')
  t.notMatch(first.body, /hunter2|10\.0\.0\.1|ECONNREFUSED/)
  const [a, b] = await Promise.all([
    app.inject({ method: 'POST', url: '/api/check', payload: { connection: {} } }),
    app.inject({ method: 'POST', url: '/api/check', payload: { connection: {} } })
  ])
  t.equal(a.statusCode, 200)
  t.equal(b.statusCode, 200)
  t.equal(adapter.inits, 2, 'one retry, shared by both concurrent requests')
})

t.test('an error before the first row is a clean coded answer', async (t) => {
  const adapter = new MemoryAdapter(fields, rows, { throwAfter: 0 })
  const answer = await data(adapter, {})
  t.equal(answer.statusCode, 502)
  t.same(Object.keys(answer.json()), ['error', 'message'])
  t.notMatch(answer.body, /hunter2/)
})

t.test('a value error names the row of the answer, counted across batches', async (t) => {
  const broken = (row: number): Array<Record<string, unknown>> => rows.map((item, i) => i === row - 1 ? { ...item, DAY: '05.01.2026' } : item)
  const early = await data(new MemoryAdapter(fields, broken(2), { batch: 4 }), {})
  t.equal(early.statusCode, 500, 'in the first batch: a clean coded answer')
  t.same(early.json(), {
    error: 'B24BI_ERR_VALUE_INVALID',
    message: "Field 'DAY' declared date got '05.01.2026' in row 2; expected a Date or a string 'YYYY-MM-DD' (e.g. '2025-03-01')"
  })

  const app = await buildServer({ adapter: new MemoryAdapter(fields, broken(7), { batch: 2 }), logger: false })
  t.teardown(() => app.close())
  const ended: string[] = []
  app.b24bi.onDataEnd((summary) => ended.push(summary.error?.message ?? 'no error'))
  const late = await app.inject({ method: 'POST', url: '/api/data', payload: { connection: {}, table: 'items' } })
  t.notOk(late.body.endsWith(']]'), 'in the fourth batch: the answer is broken')
  t.match(ended, [/^Field 'DAY' declared date got '05.01.2026' in row 7; expected/])
})

t.test('mapFields: keys are field codes, values any unique non-empty names; the header echoes select', async (t) => {
  const ok = await data(new MemoryAdapter(fields, rows), { select: ['Item id', 'NAME'], mapFields: { ID: 'Item id' }, limit: 1 })
  t.same(ok.json(), [['Item id', 'NAME'], [1, 'item 1']], 'a display-like name selects the field and heads its column')
  const notAField = await data(new MemoryAdapter(fields, rows), { select: ['ID'], mapFields: { NOPE: 'X' } })
  t.equal(notAField.json().error, 'B24BI_ERR_MAP_FIELDS_INVALID')
  t.match(notAField.json().message, /'NOPE' is not a field/)
  const twice = await data(new MemoryAdapter(fields, rows), { select: ['X'], mapFields: { ID: 'X', NAME: 'X' } })
  t.equal(twice.json().error, 'B24BI_ERR_MAP_FIELDS_INVALID')
  const empty = await data(new MemoryAdapter(fields, rows), { select: ['ID'], mapFields: { ID: '' } })
  t.equal(empty.json().error, 'B24BI_ERR_REQUEST_INVALID', 'an empty name is refused by the schema')
  const sameField = await data(new MemoryAdapter(fields, rows), { select: ['ID', 'X'], mapFields: { ID: 'X' } })
  t.equal(sameField.json().error, 'B24BI_ERR_REQUEST_INVALID', 'one field selected twice under two names')
  const noSelect = await data(new MemoryAdapter(fields, rows), { mapFields: { ID: 'Item id' }, limit: 1 })
  t.same(noSelect.json()[0], ['Item id', 'NAME', 'DAY', 'AMOUNT'], 'without select: every field, mapped names where given')
})

t.test('limit 0 means no limit; a negative or fractional limit is a 400', async (t) => {
  const all = await data(new MemoryAdapter(fields, rows), { select: ['ID'], limit: 0 })
  t.equal((all.json() as unknown[]).length, 11, 'header and all ten rows')
  const form = async (limit: string) => {
    const app = await buildServer({ adapter: new MemoryAdapter(fields, rows), logger: false })
    t.teardown(() => app.close())
    return await app.inject({ method: 'POST', url: '/api/data', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `connection%5Bnone%5D=x&table=items&limit=${limit}` })
  }
  t.equal(((await form('0')).json() as unknown[]).length, 11, "the portal's form-encoded limit=0")
  for (const limit of ['-1', '1.5', 'x']) {
    const answer = await form(limit)
    t.equal(answer.statusCode, 400, `limit=${limit}`)
    t.equal(answer.json().error, 'B24BI_ERR_REQUEST_INVALID')
  }
})

t.test('a table described with no fields is a coded error, never an empty description', async (t) => {
  const app = await buildServer({ adapter: new MemoryAdapter([], []), logger: false })
  t.teardown(() => app.close())
  for (const url of ['/api/table_description', '/api/data']) {
    const answer = await app.inject({ method: 'POST', url, payload: { connection: {}, table: 'items' } })
    t.equal(answer.statusCode, 500, url)
    t.equal(answer.json().error, 'B24BI_ERR_TABLE_NO_FIELDS', url)
    t.match(answer.json().message, /'items' has no fields/)
  }
})

t.test('the table list carries the optional id when the adapter gives one', async (t) => {
  class WithIds extends MemoryAdapter {
    override async listTables (): Promise<TableInfo[]> {
      return [{ id: 7, code: 'items', title: 'Items' }, { code: 'other' }, { id: 'x-1', code: 'third', title: 'Third' }]
    }
  }
  const app = await buildServer({ adapter: new WithIds(fields, rows), logger: false })
  t.teardown(() => app.close())
  const answer = await app.inject({ method: 'POST', url: '/api/table_list', payload: { connection: {} } })
  t.same(answer.json(), [{ id: 7, code: 'items', title: 'Items' }, { code: 'other', title: 'other' }, { id: 'x-1', code: 'third', title: 'Third' }])
})
