import t from 'tap'
import { Type } from 'typebox'
import { isAnswerTimeZone } from '../../../src/protocol/answer-values.js'
import { valueFormatter } from '../../../src/core/value-format.js'
import { FIELD_TYPES, isTextType } from '../../../src/core/field-types.js'
import { parseFilter } from '../../../src/filter/parse.js'
import { compilePredicate } from '../../../src/filter/evaluate.js'
import { valueProblem } from '../../../src/protocol/answer-checks.js'
import { TimeZone } from '../../../src/core/time-zone.js'
import { describeSchema, TimeZoneId } from '../../../src/core/typed-adapter.js'

const timeZone = new TimeZone('UTC')

t.test('timezone is a portal type whose values are time zone identifiers, as text', async (t) => {
  t.ok(FIELD_TYPES.includes('timezone'))
  t.ok(isTextType('timezone'))
  t.notOk(isTextType('int'))
  const format = valueFormatter({ code: 'TZ', type: 'timezone' }, { timeZone, datetimeFormat: 'Y-m-d H:i:s' })
  t.equal(format('Europe/Berlin'), '"Europe/Berlin"')
  t.equal(format(null), 'null')
  for (const value of ['Europe/Berlin', 'UTC', 'America/Argentina/Buenos_Aires', '+03:00', '-0530']) t.ok(isAnswerTimeZone(value), value)
  for (const value of ['', 'Mars/Olympus', '+25:00', 'x'.repeat(80)]) t.notOk(isAnswerTimeZone(value), JSON.stringify(value))
  t.equal(valueProblem('Asia/Tokyo', 'timezone', 'Y-m-d H:i:s'), undefined)
  t.match(valueProblem('Mars/Olympus', 'timezone', 'Y-m-d H:i:s'), /time zone identifier/)
  t.match(valueProblem(3, 'timezone', 'Y-m-d H:i:s'), /time zone identifier/)
})

t.test('typed tables declare it with TimeZoneId()', async (t) => {
  const fields = describeSchema(Type.Object({ ID: Type.Integer(), TZ: TimeZoneId({ title: 'Zone' }) }))
  t.same(fields, [{ code: 'ID', type: 'int' }, { code: 'TZ', type: 'timezone', name: 'Zone' }])
})

t.test('filters compare it as text, the text operators included', async (t) => {
  const fields = [{ code: 'TZ', type: 'timezone' as const }]
  const test = (filter: unknown, value: string | null): boolean => compilePredicate(parseFilter(filter, fields, { timeZone })!, () => 0)([value])
  t.equal(test({ TZ: 'Europe/Berlin' }, 'Europe/Berlin'), true)
  t.equal(test({ '%TZ': 'berlin' }, 'Europe/Berlin'), true)
  t.equal(test({ '!%TZ': 'berlin' }, 'Asia/Tokyo'), true)
  t.equal(test({ TZ: ['UTC', 'Asia/Tokyo'] }, 'Asia/Tokyo'), true)
  t.equal(test({ TZ: 'UTC' }, null), false)
})
