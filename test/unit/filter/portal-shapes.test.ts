import { readFileSync } from 'node:fs'
import t from 'tap'
import { Adapter, type ReadPlan } from '../../../src/core/adapter.js'
import { normalizeBody, parseFormBody } from '../../../src/protocol/form-body.js'
import type { FieldInfo } from '../../../src/core/field-types.js'
import type { FilterCondition, FilterNode } from '../../../src/core/filter-ast.js'
import { compilePredicate } from '../../../src/filter/evaluate.js'
import { parseFilter, type ParseFilterOptions } from '../../../src/filter/parse.js'
import { readPortalDateFormat } from '../../../src/filter/portal-date.js'
import { resolveRuntimeOptions } from '../../../src/runtime/runtime-options.js'
import { buildServer } from '../../../src/server/index.js'
import { TimeZone } from '../../../src/core/time-zone.js'

const timeZone = new TimeZone('Europe/Berlin')

// The portal's crm_deal table as the bodies in test/fixtures/portal-bodies name it.
const DEAL_FIELDS: FieldInfo[] = [
  { code: 'ID', type: 'int' }, { code: 'TITLE', type: 'string' }, { code: 'STAGE_ID', type: 'string' },
  { code: 'OPPORTUNITY', type: 'money' }, { code: 'CLOSEDATE', type: 'date' }, { code: 'DATE_CREATE', type: 'datetime' },
  { code: 'deal_id', type: 'int' }, { code: 'title', type: 'string' }
]
const DEALS: ReadonlyArray<readonly unknown[]> = [
  // ID, TITLE, STAGE_ID, OPPORTUNITY, CLOSEDATE, DATE_CREATE, deal_id, title
  [1, 'rush order', 'NEW', '500.00', '2025-05-31', '2025-05-02 12:00:00', 99, 'a'],
  [2, 'calm', 'WON', '1000.00', '2025-05-01', '2025-05-31 23:59:59', 100, 'b'],
  [3, 'calm', 'LOSE', '900.00', '2025-04-30', '2025-05-03 18:30:00', 101, 'c'],
  [4, 'calm', 'NEW', '100.00', null, '2025-06-01 00:00:00', 150, 'd'],
  [5, 'RUSH', 'NEW', '5000.00', '2025-06-01', '2025-05-01 00:00:00', null, 'e']
]

function body (name: string): Record<string, unknown> {
  const text = readFileSync(new URL(`../../fixtures/portal-bodies/${name}.txt`, import.meta.url), 'utf8').trim()
  return normalizeBody(parseFormBody(text)) as Record<string, unknown>
}

function ids (node: FilterNode | undefined): number[] {
  const keep = node === undefined ? () => true : compilePredicate(node, (code) => DEAL_FIELDS.findIndex((field) => field.code === code), { timeZone })
  return DEALS.filter(keep).map((row) => row[0] as number)
}

const usOptions: ParseFilterOptions = { timeZone, portalDateFormat: 'MM/DD/YYYY H:MI:SS T' }

t.test('every portal body parses and keeps the right rows', async (t) => {
  const groupsOnly = body('data-groups-only')
  t.ok(Array.isArray(groupsOnly.filter), 'the groups-only filter decodes to a list')
  t.same(ids(parseFilter(groupsOnly.filter, DEAL_FIELDS, { timeZone })), [1, 2, 3, 5], 'WON or LOSE, or the title contains rush')

  const range = body('data-date-range')
  const rangeNode = parseFilter(range.filter, DEAL_FIELDS, { timeZone })
  t.same(ids(rangeNode), [1, 2], 'May (31 May kept), and OPPORTUNITY not above 1000 or no close date')
  t.same(ids(parseFilter({ ...range.filter as object, '<=CLOSEDATE': '30.05.2025 23:59:59' }, DEAL_FIELDS, { timeZone })), [2], 'one day less')

  const us = body('data-date-range-us')
  t.throws(() => parseFilter(us.filter, DEAL_FIELDS, { timeZone }),
    { code: 'B24BI_ERR_FILTER_DATE_AMBIGUOUS', statusCode: 400, message: /'05\/0[12]\/2025.*portalDateFormat.*B24BI_PORTAL_DATE_FORMAT/ },
    'an en-US range without the setting is a coded 400 naming it')
  t.same(ids(parseFilter(us.filter, DEAL_FIELDS, usOptions)), [1, 3], 'in May, between 2 May 9 am and 3 May 6:30 pm')

  const mapping = body('data-mapping')
  const mapFields = mapping.mapFields as Record<string, string>
  const byName = new Map(Object.entries(mapFields).map(([code, name]) => [name, DEAL_FIELDS.find((field) => field.code === code)!]))
  t.throws(() => parseFilter(mapping.filter, DEAL_FIELDS, { timeZone }), { code: 'B24BI_ERR_FIELD_NOT_FOUND', message: /'DEAL'/ },
    'without a resolver a field name is an unknown field')
  const node = parseFilter(mapping.filter, DEAL_FIELDS, { timeZone, resolveField: (name) => byName.get(name) }) as FilterCondition
  t.same([node.key, node.field, node.op], ['>DEAL', 'deal_id', 'gt'], 'the resolver maps the key to the code')
  t.same(ids(node), [3, 4])
})

t.test('the portal date format decides only ambiguous slashed dates', async (t) => {
  const day = (value: string, format?: string): unknown =>
    (parseFilter({ CLOSEDATE: value }, DEAL_FIELDS, { timeZone, ...(format === undefined ? {} : { portalDateFormat: format }) }) as FilterCondition).values[0]
  t.equal(day('05/06/2025', 'MM/DD/YYYY'), '2025-05-06')
  t.equal(day('05/06/2025', 'DD/MM/YYYY HH:MI:SS'), '2025-06-05')
  t.equal(day('31/05/2025', 'MM/DD/YYYY'), '2025-05-31', 'a first number above 12 is the day whatever the setting says')
  t.equal(day('05/31/2025', 'DD/MM/YYYY'), '2025-05-31')
  t.equal(day('06/06/2025'), '2025-06-06', 'the same day and month needs no setting')
  t.equal(day('5/6/2025', 'MM/DD/YYYY'), '2025-05-06', 'one-digit parts')
  t.equal(day('05.06.2025', 'MM/DD/YYYY'), '2025-06-05', 'dotted is always day first')
  t.throws(() => day('05/06/2025', 'DD.MM.YYYY'), { code: 'B24BI_ERR_FILTER_DATE_AMBIGUOUS' }, 'a format without slashes does not decide')
  t.throws(() => day('05/06/2025'), { code: 'B24BI_ERR_FILTER_DATE_AMBIGUOUS', statusCode: 400 })
  const wall = (value: string): unknown => ((parseFilter({ DATE_CREATE: value }, DEAL_FIELDS, usOptions) as FilterCondition).values[0] as { wall: string }).wall
  t.equal(wall('05/31/2025 11:59:59 pm'), '2025-05-31 23:59:59')
  t.equal(wall('05/31/2025 12:00:00 AM'), '2025-05-31 00:00:00')
  t.equal(wall('05/31/2025 12:30 pm'), '2025-05-31 12:30:00')
  t.equal(wall('05/31/2025 1:05:00 pm'), '2025-05-31 13:05:00')
  t.equal(wall('31.05.2025 23:59'), '2025-05-31 23:59:00')
  for (const bad of ['05/31/2025 13:00:00 pm', '05/31/2025 0:00:00 am', '13/13/2025', '05/31/25', '05/31/2025 11:59:59 xm']) {
    t.throws(() => wall(bad), { code: 'B24BI_ERR_FILTER_VALUE', statusCode: 400 }, bad)
  }
})

t.test('the setting is validated where it is given', async (t) => {
  for (const good of ['DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY', 'YYYY-MM-DD', 'DD.MM.YYYY HH:MI:SS', 'MM/DD/YYYY H:MI:SS T', 'MM/DD/YYYY HH:MI TT']) {
    t.doesNotThrow(() => readPortalDateFormat(good), good)
  }
  for (const bad of ['MM-DD-YYYY', 'mm/dd/yyyy', 'DD.MM.YYYY HH:MM:SS pm', '']) {
    t.throws(() => readPortalDateFormat(bad), { code: 'B24BI_ERR_CONFIG_INVALID', message: /'portalDateFormat'/ }, bad)
  }
  t.throws(() => resolveRuntimeOptions({ portalDateFormat: 'YYYY/MM/DD' }), { code: 'B24BI_ERR_CONFIG_INVALID' })
  t.equal(resolveRuntimeOptions({ portalDateFormat: 'DD/MM/YYYY' }).portalDateFormat, 'DD/MM/YYYY')
})

t.test('negation and IS_NULL shapes', async (t) => {
  const parse = (raw: unknown): FilterNode | undefined => parseFilter(raw, DEAL_FIELDS, { timeZone })
  const shape = (node: FilterNode | undefined): unknown => node === undefined
    ? undefined
    : node.kind === 'condition' ? `${node.op}(${node.values.map((value) => typeof value === 'string' ? value : value.wall).join(',')})` : { [node.logic]: node.items.map(shape) }
  t.same(shape(parse({ '!>ID': '5' })), { OR: ['isNull()', 'lte(5)'] }, '!> is NULL or <=')
  t.same(shape(parse({ '!<=ID': ['1', '2'] })), { AND: [{ OR: ['isNull()', 'gt(1)'] }, { OR: ['isNull()', 'gt(2)'] }] }, 'NOT of any is each NOT')
  t.same(shape(parse({ '>=ID': ['1', '2'] })), { OR: ['gte(1)', 'gte(2)'] })
  t.same(shape(parse({ '=CLOSEDATE': '0' })), 'isNull()')
  t.same(shape(parse({ '!=DATE_CREATE': '0' })), 'notNull()')
  t.same(shape(parse({ '=ID': '0' })), 'eq(0)', '0 on an int is the number')
  t.same(shape(parse({ '=ID': false })), 'isNull()', 'JSON false is IS NULL on any type')
  t.same(shape(parse({ '!=TITLE': [false, 'x'] })), { AND: ['notNull()', 'ne(x)'] })
  t.same(shape(parse({ '<=CLOSEDATE': '31.05.2025 23:59:59' })), 'lte(2025-05-31)')
  t.same(shape(parse({ '<CLOSEDATE': '31.05.2025 00:00:01' })), 'lt(2025-06-01)')
  t.same(shape(parse({ '!><CLOSEDATE': ['01.05.2025 08:00', '31.05.2025 23:59:59'] })), 'notBetween(2025-05-02,2025-05-31)')
  t.throws(() => parse({ '>=CLOSEDATE': '31.12.9999 10:00' }), { code: 'B24BI_ERR_FILTER_VALUE', message: /out of range/ }, 'no day after the last one')
})

t.test('keys and values the grammar refuses, each a coded 400 naming the key', async (t) => {
  const parse = (raw: unknown): FilterNode | undefined => parseFilter(raw, DEAL_FIELDS, { timeZone })
  const bad: Array<[unknown, string, RegExp]> = [
    [{ '!!ID': '1' }, 'B24BI_ERR_FILTER_KEY', /'!!ID'.*unknown operator/],
    [{ '!<>ID': '1' }, 'B24BI_ERR_FILTER_KEY', /'!<>ID'.*unknown operator/],
    [{ 0: 'x' }, 'B24BI_ERR_FILTER_KEY', /'0'.*group/],
    [['x'], 'B24BI_ERR_FILTER_KEY', /'0'.*group/],
    [{ '=CLOSEDATE': '31.05.2025 10:00' }, 'B24BI_ERR_FILTER_VALUE', /'=CLOSEDATE'.*time of day/],
    [{ '>ID': false }, 'B24BI_ERR_FILTER_VALUE', /'>ID'/],
    [{ '><ID': [['1', '2'], ['3']] }, 'B24BI_ERR_FILTER_VALUE', /'><ID'.*pairs/],
    [{ '><ID': [['1', '2'], '3'] }, 'B24BI_ERR_FILTER_VALUE', /'><ID'/],
    [{ '>ID': [] }, 'B24BI_ERR_FILTER_VALUE', /'>ID'.*empty/],
    [{ '~TITLE': ['a', 'b\\'] }, 'B24BI_ERR_FILTER_VALUE', /'~TITLE'.*escape/]
  ]
  for (const [raw, code, message] of bad) {
    t.throws(() => parse(raw), { code, statusCode: 400, message }, JSON.stringify(raw))
  }
})

/** The crm_deal table in memory; pushes nothing down, so the evaluator answers (the SQL suite covers the engines). */
class DealAdapter extends Adapter {
  constructor (readonly fields: FieldInfo[]) {
    super()
  }

  async listTables () {
    return [{ code: 'crm_deal', title: 'Deals' }]
  }

  async describeTable (table: string) {
    return table === 'crm_deal' ? this.fields : undefined
  }

  async * readRows (plan: ReadPlan) {
    const codes = DEAL_FIELDS.map((field) => field.code)
    yield DEALS.map((row) => plan.fields.map((field) => row[codes.indexOf(field.code)]))
  }
}

t.test('each portal body, posted as the portal posts it, answers 200 with the right rows', async (t) => {
  const post = async (fields: FieldInfo[], name: string): Promise<{ status: number, rows: unknown[][] }> => {
    const app = await buildServer({ adapter: new DealAdapter(fields), logger: false, runtime: { timeZone: 'Europe/Berlin', portalDateFormat: 'MM/DD/YYYY H:MI:SS T' } })
    try {
      const payload = readFileSync(new URL(`../../fixtures/portal-bodies/${name}.txt`, import.meta.url), 'utf8').trim()
      const answer = await app.inject({ method: 'POST', url: '/api/data', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      return { status: answer.statusCode, rows: answer.statusCode === 200 ? answer.json() : [[answer.body]] }
    } finally {
      await app.close()
    }
  }
  const portalFields = DEAL_FIELDS.filter((field) => field.code.toUpperCase() === field.code)
  const groupsOnly = await post(portalFields, 'data-groups-only')
  t.equal(groupsOnly.status, 200, JSON.stringify(groupsOnly.rows[0]))
  t.same(groupsOnly.rows.slice(1).map((row) => row[0]), [1, 2, 3, 5])
  const range = await post(portalFields, 'data-date-range')
  t.equal(range.status, 200, JSON.stringify(range.rows[0]))
  t.same(range.rows.slice(1), [[1, '2025-05-31', 500], [2, '2025-05-01', 1000]])
  const us = await post(portalFields, 'data-date-range-us')
  t.equal(us.status, 200, JSON.stringify(us.rows[0]))
  t.same(us.rows.slice(1).map((row) => row[0]), [1, 3])
  const mapping = await post(DEAL_FIELDS.filter((field) => field.code.toLowerCase() === field.code), 'data-mapping')
  t.equal(mapping.status, 200, JSON.stringify(mapping.rows[0]))
  t.same(mapping.rows, [['DEAL', 'TITLE'], [101, 'c'], [150, 'd']], 'mapFields names in select, filter and header')
})
