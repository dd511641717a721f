import t from 'tap'
import type { FieldType } from '../../../src/core/field-types.js'
import type { FilterNode } from '../../../src/core/filter-ast.js'
import { compilePredicate } from '../../../src/filter/evaluate.js'
import { likeMatcher } from '../../../src/filter/like.js'
import { parseFilter } from '../../../src/filter/parse.js'
import { TimeZone } from '../../../src/core/time-zone.js'
import { FILTER_CASES, FILTER_FIELDS, FILTER_PORTAL_DATE_FORMAT, FILTER_ROWS, FILTER_TIME_ZONE } from '../../helpers/filter-cases.js'

const timeZone = new TimeZone(FILTER_TIME_ZONE)
const indexOf = (code: string): number => FILTER_FIELDS.findIndex((field) => field.code === code)

function idsOf (node: FilterNode | undefined): number[] {
  if (node === undefined) return FILTER_ROWS.map((row) => row[0] as number)
  const keep = compilePredicate(node, indexOf, { timeZone })
  return FILTER_ROWS.filter(keep).map((row) => row[0] as number)
}

t.test('every filter case through the evaluator', async (t) => {
  t.ok(FILTER_CASES.length >= 60, `${FILTER_CASES.length} cases`)
  for (const filterCase of FILTER_CASES) {
    t.same(idsOf(parseFilter(filterCase.filter, FILTER_FIELDS, { timeZone, portalDateFormat: FILTER_PORTAL_DATE_FORMAT })), filterCase.ids, filterCase.name)
  }
})

const condition = (field: string, type: FieldType, op: 'eq' | 'gt' | 'lt' | 'ne' | 'like' | 'contains', value: string): FilterNode =>
  ({ kind: 'condition', key: `${op}${field}`, field, type, op, values: [value] })

t.test('row value shapes', async (t) => {
  const at0 = (): number => 0
  const test = (node: FilterNode, value: unknown): boolean => compilePredicate(node, at0)([value])
  const eq = condition('X', 'int', 'eq', '9007199254740993')
  t.equal(test(eq, 9007199254740993n), true, 'bigint exact')
  t.equal(test(eq, '9007199254740993'), true, 'decimal string exact')
  t.equal(test(eq, '9007199254740993.000'), true, 'decimal string with zeros')
  t.equal(test(eq, 9007199254740992n), false, 'neighbour bigint')
  t.equal(test(eq, undefined), false, 'undefined is NULL')
  t.equal(test(condition('X', 'int', 'ne', '1'), undefined), true, 'ne is true for NULL')
  t.equal(test(condition('X', 'money', 'gt', '2.5'), 3n), true, 'bigint > decimal')
  t.equal(test(condition('X', 'money', 'gt', '2.5'), 2n), false, 'bigint < decimal')
  t.equal(test(condition('X', 'money', 'lt', '-2.5'), -3n), true, 'negative bigint < negative decimal')
  t.equal(test(condition('X', 'money', 'gt', '-2.5'), -2n), true, 'negative bigint > negative decimal')
  t.equal(test(condition('X', 'int', 'eq', '1'), true), true, 'boolean true is 1')
  t.equal(test(condition('X', 'int', 'eq', '0'), false), true, 'boolean false is 0')
  t.equal(test(condition('X', 'double', 'eq', '1'), Number.NaN), false, 'NaN never equals')
  t.equal(test(condition('X', 'int', 'eq', '1'), 'abc'), false, 'a non-number string is not comparable')
  t.equal(test(condition('X', 'string', 'eq', '12'), 12), true, 'a number row in a string field compares as text')
  t.equal(test(condition('X', 'date', 'eq', '2025-05-31'), new Date('2025-05-31T00:00:00Z')), true, 'a Date for a date field (UTC by default)')
  t.equal(test(condition('X', 'date', 'eq', '2025-05-31'), '2025-05-31 10:00:00'), true, 'a date field takes the date part of a datetime string')
  const wall = { wall: '2025-05-31 17:01:55', instant: new Date('2025-05-31T15:01:55Z') }
  const dt = (op: 'eq' | 'gt'): FilterNode => ({ kind: 'condition', key: 'k', field: 'X', type: 'datetime', op, values: [wall] })
  t.equal(test(dt('eq'), '2025-05-31T17:01:55'), true, 'T separator')
  t.equal(test(dt('eq'), '2025-05-31 17:01:55.000'), true, 'zero fraction is equal')
  t.equal(test(dt('gt'), '2025-05-31 17:01:55.001'), true, 'a fraction is later')
  t.equal(test(dt('eq'), '2025-05-31T15:01:55Z'), true, 'a string with an offset is an instant')
  t.equal(test(dt('eq'), new Date('2025-05-31T15:01:55Z')), true, 'a Date is an instant')
  t.equal(test(dt('gt'), '2025-05-31'), false, 'a date-only string is midnight')
  t.equal(test(dt('eq'), 'garbage'), false, 'an unreadable string is not comparable')
})

t.test('groups and LIKE', async (t) => {
  const always = compilePredicate({ kind: 'group', logic: 'AND', items: [] }, () => 0)
  const never = compilePredicate({ kind: 'group', logic: 'OR', items: [] }, () => 0)
  t.equal(always([1]), true, 'empty AND is true')
  t.equal(never([1]), false, 'empty OR is false')
  t.throws(() => compilePredicate(condition('NOPE', 'int', 'eq', '1'), () => -1), { code: 'B24BI_ERR_FIELD_NOT_FOUND' })
  t.equal(likeMatcher('a%b_c')('aXYZb1c'), true)
  t.equal(likeMatcher('a.b')('aXb'), false, 'regex characters are literal')
  t.equal(likeMatcher('(x)*[y]')('(x)*[y]'), true)
  t.equal(likeMatcher('\\a')('a'), true, 'backslash escapes any character')
  t.equal(likeMatcher("' OR 1=1 --")("' OR 1=1 --"), true, 'a hyphen is literal')
})

t.test('a million rows stay fast', async (t) => {
  const node = parseFilter({ '>=BIG': '3', '%TITLE': 'e', '!DAY': '2025-05-31' }, FILTER_FIELDS, { timeZone })!
  const keep = compilePredicate(node, indexOf, { timeZone })
  const start = performance.now()
  let kept = 0
  for (let index = 0; index < 1_000_000; index++) if (keep(FILTER_ROWS[index % FILTER_ROWS.length]!)) kept++
  const ms = performance.now() - start
  t.ok(kept > 0)
  t.ok(ms < 5000, `1M rows in ${Math.round(ms)} ms`)
})
