import t from 'tap'
import type { FieldInfo } from '../../../src/core/field-types.js'
import type { FilterCondition, FilterNode } from '../../../src/core/filter-ast.js'
import { parseFilter } from '../../../src/filter/parse.js'
import { splitFilter } from '../../../src/filter/split.js'
import { TimeZone } from '../../../src/core/time-zone.js'

const fields: FieldInfo[] = [
  { code: 'ID', type: 'int' }, { code: 'NAME', type: 'string' }, { code: 'PRICE', type: 'double' },
  { code: 'SUM', type: 'money' }, { code: 'DAY', type: 'date' }, { code: 'AT', type: 'datetime' }, { code: 'LOGIC', type: 'string' }
]
const timeZone = new TimeZone('Europe/Berlin')
const parse = (raw: unknown): FilterNode | undefined => parseFilter(raw, fields, { timeZone })
const only = (raw: unknown): FilterCondition => parse(raw) as FilterCondition
const first = (key: string, value: unknown): FilterCondition => {
  const node = parse({ [key]: value })!
  return (node.kind === 'group' ? node.items[0] : node) as FilterCondition
}

t.test('empty filters are undefined', async (t) => {
  for (const raw of [undefined, null, '', {}, { LOGIC: 'OR' }]) t.equal(parse(raw), undefined, JSON.stringify(raw))
})

t.test('operators, longest prefix first', async (t) => {
  const ops: Array<[string, unknown, string]> = [
    ['ID', '1', 'eq'], ['=ID', '1', 'eq'], ['ID', ['1'], 'eq'], ['ID', ['1', '2'], 'in'], ['=ID', null, 'isNull'],
    ['!ID', '1', 'ne'], ['!=ID', '1', 'ne'], ['<>ID', '1', 'ne'], ['!ID', ['1', '2'], 'notIn'], ['!ID', null, 'notNull'],
    ['>ID', '1', 'gt'], ['>=ID', '1', 'gte'], ['<ID', '1', 'lt'], ['<=ID', '1', 'lte'],
    ['><ID', ['1', '2'], 'between'], ['!><ID', ['1', '2'], 'notBetween'],
    ['~NAME', 'a%', 'like'], ['!~NAME', 'a%', 'notLike'], ['%NAME', 'a', 'contains'], ['!%NAME', 'a', 'notContains']
  ]
  for (const [key, value, op] of ops) {
    const condition = first(key, value)
    t.equal(condition.op, op, key)
    t.equal(condition.key, key)
  }
  t.same(only({ ID: { 0: '1', 1: '2' } }).values, ['1', '2'], 'index-keyed object is a list')
  t.same(only({ ID: { 1: '2', 0: '1' } }).values, ['1', '2'], 'in index order')
  t.equal(only({ '=LOGIC': 'x' }).field, 'LOGIC', 'a field named LOGIC is reached with =')
})

t.test('groups', async (t) => {
  const node = parse({ LOGIC: 'or', '>=ID': '1', 0: { LOGIC: 'OR', '=ID': '1', '><SUM': ['1000', '2500.50'] }, sub: { ID: '3' } }) as any
  t.equal(node.logic, 'OR', 'logic is case-insensitive')
  t.same(node.items.map((item: FilterCondition) => item.key), ['=ID', '><SUM', '>=ID', 'ID'], 'an OR group inside an OR is its items; a one-item group is its item')
  const and = parse({ '>=ID': '1', 0: { ID: '2', 1: { '!%NAME': ['a', 'b'] } }, 1: { LOGIC: 'OR', ID: '3' } }) as any
  t.same(and.items.map((item: FilterCondition) => [item.key, item.op]), [['!%NAME', 'notContains'], ['!%NAME', 'notContains'], ['ID', 'eq'], ['ID', 'eq'], ['>=ID', 'gte']],
    'AND groups inside an AND are their items, at any depth')
  t.same(parse({ 0: { LOGIC: 'OR' } }), { kind: 'group', logic: 'OR', items: [] }, 'an empty OR group stays (false)')
  let deep: Record<string, unknown> = { ID: '1' }
  for (let level = 0; level < 7; level++) deep = { 0: deep, ID: '2' }
  t.ok(parse(deep), '8 levels')
  t.throws(() => parse({ 0: deep }), { code: 'B24BI_ERR_FILTER_KEY', message: /'0'.*deeper than 8/ })
})

t.test('coercion', async (t) => {
  const value = (key: string, raw: string): unknown => first(key, raw).values[0]
  t.equal(value('ID', ' -007 '), '-7')
  t.equal(value('ID', '-0'), '0')
  t.equal(value('ID', '12.00'), '12')
  t.equal(value('ID', '123456789012345678901234567890'), '123456789012345678901234567890')
  t.equal(value('PRICE', '2.5E3'), '2500')
  t.equal(value('PRICE', '-.5'), '-0.5')
  t.equal(value('PRICE', '1e-3'), '0.001')
  t.equal(value('SUM', '0002500.5000'), '2500.5')
  t.equal(value('SUM', '-0.0'), '0')
  t.equal(value('NAME', ' spaced '), ' spaced ', 'strings are kept as sent')
  t.equal(value('DAY', '29.02.2024'), '2024-02-29')
  t.equal(value('DAY', '2025-05-31 00:00:00'), '2025-05-31')
  t.equal(value('DAY', '2025-05-30T22:00:00Z'), '2025-05-31', 'a UTC instant at local midnight')
  t.same(value('AT', '31.05.2025'), { wall: '2025-05-31 00:00:00', instant: new Date('2025-05-30T22:00:00Z') })
  t.same(value('AT', '31.05.2025 17:01'), { wall: '2025-05-31 17:01:00', instant: new Date('2025-05-31T15:01:00Z') })
  t.same(value('AT', '2025-05-31T17:01:55.000+0200'), { wall: '2025-05-31 17:01:55', instant: new Date('2025-05-31T15:01:55Z') })
  t.same(value('AT', '2025-01-31T23:30:00-05:00'), { wall: '2025-02-01 05:30:00', instant: new Date('2025-02-01T04:30:00Z') })
  t.same(value('AT', '2025-03-30 02:30:00'), { wall: '2025-03-30 02:30:00', instant: new Date('2025-03-30T01:30:00Z') }, 'DST gap: wall kept, instant moves forward')
  t.same(value('AT', '2025-10-26 02:30:00'), { wall: '2025-10-26 02:30:00', instant: new Date('2025-10-26T00:30:00Z') }, 'DST overlap: the earlier instant')
  t.same(value('AT', '2025-10-26T01:30:00Z'), { wall: '2025-10-26 02:30:00', instant: new Date('2025-10-26T01:30:00Z') }, 'DST overlap: the later instant by offset')
  t.equal(only({ ID: 5 as unknown as string }).values[0], '5', 'a JSON number')
})

t.test('every 400 names the key', async (t) => {
  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ '@ID': '1' }, 'B24BI_ERR_FILTER_KEY', /'@ID'.*unknown operator/],
    [{ '=>ID': '1' }, 'B24BI_ERR_FILTER_KEY', /'=>ID'.*unknown operator/],
    [{ '>=': '1' }, 'B24BI_ERR_FILTER_KEY', /'>='.*no field/],
    [{ '': '1' }, 'B24BI_ERR_FILTER_KEY', /''/],
    [{ NOPE: '1' }, 'B24BI_ERR_FIELD_NOT_FOUND', /'NOPE'/],
    [{ '>=NOPE': '1' }, 'B24BI_ERR_FIELD_NOT_FOUND', /'NOPE'/],
    [{ id: '1' }, 'B24BI_ERR_FIELD_NOT_FOUND', /'id'/],
    [{ '><ID': '1' }, 'B24BI_ERR_FILTER_VALUE', /'><ID'.*exactly two/],
    [{ '><ID': ['1', '2', '3'] }, 'B24BI_ERR_FILTER_VALUE', /'><ID'/],
    [{ '!><ID': { 0: '1' } }, 'B24BI_ERR_FILTER_VALUE', /'!><ID'/],
    [{ '>ID': null }, 'B24BI_ERR_FILTER_VALUE', /'>ID'.*null/],
    [{ ID: { a: '1' } }, 'B24BI_ERR_FILTER_VALUE', /'ID'/],
    [{ ID: [] }, 'B24BI_ERR_FILTER_VALUE', /'ID'.*empty/],
    [{ ID: ['1', null] }, 'B24BI_ERR_FILTER_VALUE', /'ID'.*null/],
    [{ ID: [['1']] }, 'B24BI_ERR_FILTER_VALUE', /'ID'/],
    [{ ID: '' }, 'B24BI_ERR_FILTER_VALUE', /'ID'.*not an integer/],
    [{ ID: '1.5' }, 'B24BI_ERR_FILTER_VALUE', /'ID'/],
    [{ ID: '1e3' }, 'B24BI_ERR_FILTER_VALUE', /'ID'/],
    [{ ID: '1'.repeat(39) }, 'B24BI_ERR_FILTER_VALUE', /'ID'.*38 digits/],
    [{ ID: true }, 'B24BI_ERR_FILTER_VALUE', /'ID'/],
    [{ PRICE: '' }, 'B24BI_ERR_FILTER_VALUE', /'PRICE'/],
    [{ PRICE: '1,5' }, 'B24BI_ERR_FILTER_VALUE', /'PRICE'/],
    [{ PRICE: 'NaN' }, 'B24BI_ERR_FILTER_VALUE', /'PRICE'/],
    [{ PRICE: 'Infinity' }, 'B24BI_ERR_FILTER_VALUE', /'PRICE'/],
    [{ PRICE: '1e999999' }, 'B24BI_ERR_FILTER_VALUE', /'PRICE'.*out of range/],
    [{ SUM: '.' }, 'B24BI_ERR_FILTER_VALUE', /'SUM'/],
    [{ '>SUM': '1.' + '1'.repeat(37) }, 'B24BI_ERR_FILTER_VALUE', /'>SUM'.*at most 18 digits after the point/],
    [{ SUM: ['1', '1e-19'] }, 'B24BI_ERR_FILTER_VALUE', /'SUM'.*at most 18 digits after the point/],
    [{ DAY: '31.02.2025' }, 'B24BI_ERR_FILTER_VALUE', /'DAY'.*calendar/],
    [{ DAY: '29.02.2025' }, 'B24BI_ERR_FILTER_VALUE', /'DAY'.*calendar/],
    [{ DAY: '29.02.1900' }, 'B24BI_ERR_FILTER_VALUE', /'DAY'.*calendar/],
    [{ DAY: '2025-13-01' }, 'B24BI_ERR_FILTER_VALUE', /'DAY'/],
    [{ DAY: '0000-01-01' }, 'B24BI_ERR_FILTER_VALUE', /'DAY'/],
    [{ DAY: '31.05.2025 17:01:55' }, 'B24BI_ERR_FILTER_VALUE', /'DAY'.*time of day/],
    [{ AT: '2025-05-31 24:00:00' }, 'B24BI_ERR_FILTER_VALUE', /'AT'/],
    [{ AT: '2025-05-31 23:60:00' }, 'B24BI_ERR_FILTER_VALUE', /'AT'/],
    [{ AT: '2025-05-31 23:59:60' }, 'B24BI_ERR_FILTER_VALUE', /'AT'/],
    [{ AT: '2025-05-31T17:01:55.5Z' }, 'B24BI_ERR_FILTER_VALUE', /'AT'.*fractions/],
    [{ AT: '2025-05-31T17:01:55+25:00' }, 'B24BI_ERR_FILTER_VALUE', /'AT'/],
    [{ AT: '2025-05-31Z' }, 'B24BI_ERR_FILTER_VALUE', /'AT'/],
    [{ AT: '' }, 'B24BI_ERR_FILTER_VALUE', /'AT'/],
    [{ '%ID': '1' }, 'B24BI_ERR_FILTER_KEY', /'%ID'.*string fields/],
    [{ '~DAY': '2025%' }, 'B24BI_ERR_FILTER_KEY', /'~DAY'/],
    [{ '~NAME': 'ab\\' }, 'B24BI_ERR_FILTER_VALUE', /'~NAME'.*escape/],
    [{ LOGIC: 'XOR', ID: '1' }, 'B24BI_ERR_FILTER_VALUE', /'LOGIC'/],
    [{ LOGIC: ['OR'], ID: '1' }, 'B24BI_ERR_FILTER_VALUE', /'LOGIC'/],
    [{ 0: { '>ID': {} } }, 'B24BI_ERR_FILTER_VALUE', /'>ID'/]
  ]
  for (const [raw, code, message] of bad) {
    t.throws(() => parse(raw), { code, statusCode: 400, message }, JSON.stringify(raw).slice(0, 60))
  }
  t.throws(() => parse('ID=1'), { code: 'B24BI_ERR_FILTER_VALUE', statusCode: 400 }, 'a string filter')
  t.ok(parse({ '~NAME': 'ab\\\\' }), 'an escaped backslash at the end is fine')
})

t.test('splitFilter', async (t) => {
  const node = parse({ '>ID': '1', '%NAME': 'x', 0: { LOGIC: 'OR', ID: '2', '%NAME': 'y' }, 1: { LOGIC: 'OR', ID: '3', DAY: '2025-01-01' } })!
  const canPush = (condition: FilterCondition): boolean => condition.op !== 'contains'
  const { pushed, residual } = splitFilter(node, canPush) as any
  t.equal(pushed.items.length, 2, 'the condition and the fully pushable group')
  t.equal(residual.items.length, 2, 'contains and the group holding it')
  t.same(splitFilter(only({ ID: '1' }), canPush), { pushed: only({ ID: '1' }) })
  t.same(splitFilter(only({ '%NAME': 'x' }), canPush), { residual: only({ '%NAME': 'x' }) })
  const or = parse({ LOGIC: 'OR', ID: '1', '%NAME': 'x' })!
  t.same(splitFilter(or, canPush), { residual: or }, 'an OR is kept whole')
  t.same(splitFilter(parse({ ID: '1', '%NAME': 'x' })!, () => true).residual, undefined)
  t.same(splitFilter(parse({ ID: '1', '%NAME': 'x' })!, () => false).pushed, undefined)
})

t.test('a NUL character in a text value is a 400 on every engine, not a driver error', async (t) => {
  for (const key of ['NAME', '%NAME', '~NAME', '!NAME']) {
    t.throws(() => parse({ [key]: "\u0000' OR 1=1" }), { code: 'B24BI_ERR_FILTER_VALUE', statusCode: 400 }, key)
  }
  t.throws(() => parse({ NAME: ['a', 'b\u0000'] }), { code: 'B24BI_ERR_FILTER_VALUE' }, 'inside a list')
})
