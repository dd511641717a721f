import t from 'tap'
import { valueFormatter, formatRow } from '../../../src/core/value-format.js'
import { TimeZone } from '../../../src/core/time-zone.js'
import type { FieldType } from '../../../src/core/field-types.js'

const utc = { timeZone: new TimeZone('UTC'), datetimeFormat: 'Y-m-d H:i:s' as const }
const berlin = { timeZone: new TimeZone('Europe/Berlin'), datetimeFormat: 'Y-m-d H:i:s' as const }
const format = (type: FieldType, value: unknown, options: Parameters<typeof valueFormatter>[1] = utc): string =>
  valueFormatter({ code: 'F', type }, options)(value)

t.test('int: every digit, never through a double', async (t) => {
  t.equal(format('int', 9223372036854775807n), '9223372036854775807')
  t.equal(format('int', '-9223372036854775808'), '-9223372036854775808')
  t.equal(format('int', '9007199254740993'), '9007199254740993')
  t.equal(format('int', '+0042'), '42')
  t.equal(format('int', '7.000'), '7')
  t.equal(format('int', 12), '12')
  t.equal(format('int', true), '1')
  t.equal(format('int', null), 'null')
  t.throws(() => format('int', 1.5), { code: 'B24BI_ERR_VALUE_INVALID' })
  t.throws(() => format('int', '12abc'), { code: 'B24BI_ERR_VALUE_INVALID' })
})

t.test('double and money: decimals verbatim, doubles shortest round-trip, NaN to null with a note', async (t) => {
  t.equal(format('money', '12345678901234567.89'), '12345678901234567.89')
  t.equal(format('double', '0.10'), '0.10')
  t.equal(format('double', 0.1), '0.1')
  t.equal(format('double', '.5'), '0.5')
  t.equal(format('double', '-007.250'), '-7.250')
  t.equal(format('double', '1E+3'), '1E+3', 'already a JSON number')
  t.equal(format('double', 10n ** 30n), '1000000000000000000000000000000')
  const notes: string[] = []
  const formatter = valueFormatter({ code: 'RATIO', type: 'double' }, { ...utc, onNonFinite: (field) => notes.push(field) })
  t.equal(formatter(Number.NaN), 'null')
  t.equal(formatter(Infinity), 'null')
  t.equal(formatter('-Infinity'), 'null')
  t.same(notes, ['RATIO'], 'noted once per field')
  t.throws(() => format('double', 'twelve'), { code: 'B24BI_ERR_VALUE_INVALID' })
  t.throws(() => format('double', {}), { code: 'B24BI_ERR_VALUE_INVALID' })
})

t.test('dates never shift; datetimes: naive as stored, instants in the configured zone', async (t) => {
  t.equal(format('date', '2026-03-29'), '"2026-03-29"')
  t.equal(format('date', '2026-03-29 23:59:59'), '"2026-03-29"')
  t.equal(format('date', new Date(Date.UTC(2026, 2, 29))), '"2026-03-29"')
  t.throws(() => format('date', '29.03.2026'), { code: 'B24BI_ERR_VALUE_INVALID' })
  t.equal(format('datetime', '2026-03-29 02:30:00', berlin), '"2026-03-29 02:30:00"', 'a naive wall time in the DST gap is passed as stored')
  t.equal(format('datetime', '2026-03-29T02:30:00.123456', berlin), '"2026-03-29 02:30:00"')
  t.equal(format('datetime', '2026-10-25 02:30', berlin), '"2026-10-25 02:30:00"')
  t.equal(format('datetime', new Date('2026-10-25T00:30:00Z'), berlin), '"2026-10-25 02:30:00"', 'first 02:30 of the overlap (CEST)')
  t.equal(format('datetime', new Date('2026-10-25T01:30:00Z'), berlin), '"2026-10-25 02:30:00"', 'second 02:30 of the overlap (CET)')
  t.equal(format('datetime', new Date('2026-03-29T01:30:00Z'), berlin), '"2026-03-29 03:30:00"', 'just after the gap')
  t.equal(format('datetime', '2026-10-25 01:30:00+00', berlin), '"2026-10-25 02:30:00"', 'strings with an offset are instants')
  t.equal(format('datetime', '2026-10-25T00:30:00Z'), '"2026-10-25 00:30:00"')
  const iso = { timeZone: new TimeZone('Europe/Berlin'), datetimeFormat: 'iso' as const }
  t.equal(format('datetime', new Date('2026-10-25T01:30:00Z'), iso), '"2026-10-25T02:30:00+01:00"')
  t.equal(format('datetime', new Date('2026-10-25T00:30:00Z'), iso), '"2026-10-25T02:30:00+02:00"')
  t.throws(() => format('datetime', 'yesterday'), { code: 'B24BI_ERR_VALUE_INVALID' })
})

t.test('strings and rows', async (t) => {
  t.equal(format('string', 'a "quoted" \\ value\n'), JSON.stringify('a "quoted" \\ value\n'))
  t.equal(format('string', 12n), '"12"')
  t.equal(format('string', { a: 1 }), JSON.stringify('{"a":1}'))
  t.equal(formatRow([1, 'x', null], [valueFormatter({ code: 'A', type: 'int' }, utc), valueFormatter({ code: 'B', type: 'string' }, utc), valueFormatter({ code: 'C', type: 'date' }, utc)]), '[1,"x",null]')
})

t.test('time zones: wall time to instant across DST', async (t) => {
  const zone = new TimeZone('Europe/Berlin')
  t.equal(zone.instant('2026-10-25 02:30:00').toISOString(), '2026-10-25T00:30:00.000Z', 'an ambiguous wall time is the earlier instant')
  t.equal(zone.instant('2026-03-29 02:30:00').toISOString(), '2026-03-29T01:30:00.000Z', 'a wall time in the gap moves forward')
  t.equal(zone.instant('2026-07-01 12:00:00').toISOString(), '2026-07-01T10:00:00.000Z')
  t.equal(new TimeZone('UTC').instant('2026-07-01 12:00:00').toISOString(), '2026-07-01T12:00:00.000Z')
  t.throws(() => new TimeZone('Mars/Olympus'), { code: 'B24BI_ERR_CONFIG_INVALID' })
})

t.test('a value error names the field, the row, the value (cut) and the format the type takes', async (t) => {
  const formatters = (type: FieldType) => [valueFormatter({ code: 'ID', type: 'int' }, utc), valueFormatter({ code: 'VALUE', type }, utc)]
  const failure = (type: FieldType, value: unknown): string => {
    try {
      formatRow([7, value], formatters(type), 12)
    } catch (error) {
      t.equal((error as { code?: string }).code, 'B24BI_ERR_VALUE_INVALID')
      return (error as Error).message
    }
    return 'no error'
  }
  t.equal(failure('int', '12abc'),
    "Field 'VALUE' declared int got '12abc' in row 12; expected an integer: a number, a bigint or a string of digits such as '-42'")
  t.equal(failure('int', 1.5), "Field 'VALUE' declared int got the number 1.5 in row 12; expected an integer: a number, a bigint or a string of digits such as '-42'")
  t.equal(failure('date', '01.03.2025'), "Field 'VALUE' declared date got '01.03.2025' in row 12; expected a Date or a string 'YYYY-MM-DD' (e.g. '2025-03-01')")
  t.equal(failure('date', new Date(Number.NaN)), "Field 'VALUE' declared date got an invalid Date in row 12; expected a Date or a string 'YYYY-MM-DD' (e.g. '2025-03-01')")
  t.match(failure('datetime', '2025-03-01 at noon'),
    /^Field 'VALUE' declared datetime got '2025-03-01 at noon' in row 12; expected a Date or a string 'YYYY-MM-DD HH:MM:SS'.*'\+03:00'$/)
  t.match(failure('datetime', 1740830400), /got the number 1740830400 in row 12; expected a Date/)
  t.equal(failure('double', 'twelve'), "Field 'VALUE' declared double got 'twelve' in row 12; expected a number or a decimal string such as '-12.50'")
  t.equal(failure('money', { amount: 1 }), 'Field \'VALUE\' declared money got an object {"amount":1} in row 12; expected a number or a decimal string such as \'-12.50\'')
  const long = 'x'.repeat(39) + 'ABCDEFGH'
  t.equal(failure('int', long), `Field 'VALUE' declared int got '${'x'.repeat(39)}A… (47 characters)' in row 12; expected an integer: a number, a bigint or a string of digits such as '-42'`,
    'a long value is cut at 40 characters, its length named')
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  t.match(failure('string', cyclic), /^Field 'VALUE' declared string got an object in row 12; expected a string, a number/)
  t.throws(() => valueFormatter({ code: 'N', type: 'int' }, utc)('x'), { message: "Field 'N' declared int got 'x'; expected an integer: a number, a bigint or a string of digits such as '-42'" },
    'without a row number (a formatter called on its own), no row is named')
})
