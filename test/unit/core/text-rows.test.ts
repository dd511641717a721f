import t from 'tap'
import type { FieldInfo, FieldType } from '../../../src/core/field-types.js'
import { formatRow, valueFormatter, type DateTimeFormat } from '../../../src/core/value-format.js'
import { TextRowsEncoder } from '../../../src/core/text-rows.js'
import { TimeZone } from '../../../src/core/time-zone.js'

// The encoder's promise: for any row in the text form, the bytes are those of the row path (the value decoded,
// then written by the field's formatter). Checked here against that path directly, on every chunk split.

const FIELDS: FieldInfo[] = (['int', 'double', 'money', 'string', 'date', 'datetime', 'timezone'] as FieldType[])
  .map((type, index) => ({ code: `F${index}`, type }))

/** A value as the text form writes it: `\N` for null, backslash escapes for the bytes that need them. */
function textForm (value: string | null): string {
  if (value === null) return '\\N'
  return value.replace(/[\\\t\n\r\b\f\v]/g, (char) => '\\' + ({ '\\': '\\', '\t': 't', '\n': 'n', '\r': 'r', '\b': 'b', '\f': 'f', '\v': 'v' })[char]!)
}

const ROWS: Array<Array<string | null>> = [
  ['1', '0.1', '12.50', 'plain', '2025-05-31', '2025-05-31 17:01:55', 'Europe/Berlin'],
  ['-9223372036854775808', '1e+20', '-12345678901234567.89', 'tab\there "q" back\\slash', '2024-02-29', '2025-05-31 17:01:55+00', 'UTC'],
  [null, null, null, null, null, null, null],
  ['0', '-0', '0.00', 'ctrl \u0001\u0007\b\f\v\u001b\u001f\u007f', '1970-01-01', '2026-03-29 02:30:00.123456+02', '+03:00'],
  ['-0', 'NaN', '1.', '𝄞 😀 Ünïcødé', '2099-12-31 BC', '2026-10-25 00:30:00+00', ''],
  ['007', 'Infinity', '+1.50', '\\N', '0044-03-15', '2026-10-25 02:30:00', 'x'],
  ['1.0', '1.5e-07', '.5', 'new\nline\r\n', '2000-01-01', '2026-10-25 02:30:00Z', 'y'],
  ['42', '-Infinity', '-1e-5', '', '2000-01-01', '2026-10-25T02:30:00+01:00', 'z']
]

const TEXT = ROWS.map((row) => row.map(textForm).join('\t') + '\n').join('')

function rowPath (timeZone: TimeZone, datetimeFormat: DateTimeFormat, utcColumns = new Set<number>()): string {
  const formatters = FIELDS.map((field) => valueFormatter(field, { timeZone, datetimeFormat }))
  return ROWS.map((row, index) => ',' + formatRow(row.map((value, column) =>
    value !== null && value !== '' && utcColumns.has(column) && !/(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(value) ? `${value}Z` : value), formatters, index + 1)).join('')
}

function encode (chunks: Buffer[], timeZone: TimeZone, datetimeFormat: DateTimeFormat, utcColumns?: Set<number>): { text: string, rows: number } {
  const encoder = new TextRowsEncoder({ fields: FIELDS, formatters: FIELDS.map((field) => valueFormatter(field, { timeZone, datetimeFormat })), timeZone, datetimeFormat, utcColumns })
  const parts: Buffer[] = []
  let rows = 0
  for (const chunk of chunks) {
    const encoded = encoder.push(chunk)
    if (encoded === undefined) continue
    parts.push(Buffer.from(encoded.bytes))
    rows += encoded.rows
  }
  encoder.end()
  return { text: Buffer.concat(parts).toString('utf8'), rows }
}

t.test('every value: the bytes of the row path, in every zone and format', async (t) => {
  const bytes = Buffer.from(TEXT)
  for (const zone of ['UTC', 'Europe/Berlin', 'Asia/Kathmandu']) {
    for (const format of ['Y-m-d H:i:s', 'iso'] as const) {
      const timeZone = new TimeZone(zone)
      const encoded = encode([bytes], timeZone, format)
      t.equal(encoded.text, rowPath(timeZone, format), `${zone}, ${format}`)
      t.equal(encoded.rows, ROWS.length)
      const utc = encode([bytes], timeZone, format, new Set([5]))
      t.equal(utc.text, rowPath(timeZone, format, new Set([5])), `${zone}, ${format}, naive datetimes read as UTC`)
    }
  }
})

t.test('rows split anywhere between chunks, in the middle of a character or an escape, come out whole', async (t) => {
  const bytes = Buffer.from(TEXT)
  const timeZone = new TimeZone('Europe/Berlin')
  const expected = rowPath(timeZone, 'Y-m-d H:i:s')
  for (let cut = 1; cut < bytes.length; cut++) {
    const encoded = encode([bytes.subarray(0, cut), bytes.subarray(cut)], timeZone, 'Y-m-d H:i:s')
    if (encoded.text !== expected) {
      t.fail(`split at byte ${cut}`, { found: encoded.text, wanted: expected })
      return
    }
  }
  const byByte = encode([...bytes].map((byte) => Buffer.from([byte])), timeZone, 'Y-m-d H:i:s')
  t.equal(byByte.text, expected, 'one byte at a time')
})

t.test('a value not of its type is a coded error naming the row; a malformed row a source failure', async (t) => {
  const timeZone = new TimeZone('UTC')
  const line = (values: string[]): Buffer => Buffer.from(values.join('\t') + '\n')
  const good = ['1', '1', '1', 's', '2025-01-01', '2025-01-01 00:00:00', 'UTC']
  t.throws(() => encode([line(good), line(['x', ...good.slice(1)])], timeZone, 'iso'),
    { code: 'B24BI_ERR_VALUE_INVALID', message: /'F0' declared int got 'x' in row 2/ })
  t.throws(() => encode([line(good.slice(0, 6))], timeZone, 'iso'), { code: 'B24BI_ERR_SOURCE_FAILED' }, 'a column short')
  t.throws(() => encode([line([...good, 'extra'])], timeZone, 'iso'), { code: 'B24BI_ERR_SOURCE_FAILED' }, 'a column too many')
  t.throws(() => encode([Buffer.from(good.join('\t'))], timeZone, 'iso'), { code: 'B24BI_ERR_SOURCE_FAILED' }, 'ended inside a row')
})

t.test('malformed UTF-8 comes out as the row path decodes it (U+FFFD), however the rows are split', async (t) => {
  const timeZone = new TimeZone('UTC')
  // A lone lead byte before a quote, a stray continuation byte, 0xff, a sequence cut by the tab, an overlong slash.
  const cells = [Buffer.from('1'), Buffer.from([0xc3, 0x28, 0x22, 0x80, 0xff, 0x41]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc0, 0xaf, 0x5c, 0x5c])]
  const fields: FieldInfo[] = [{ code: 'ID', type: 'int' }, { code: 'A', type: 'string' }, { code: 'B', type: 'string' }, { code: 'C', type: 'timezone' }]
  const formatters = fields.map((field) => valueFormatter(field, { timeZone, datetimeFormat: 'iso' }))
  const bytes = Buffer.concat([...cells.flatMap((cell, index) => [cell, Buffer.from(index === cells.length - 1 ? '\n' : '\t')])])
  const decoded = cells.map((cell) => cell.toString('utf8').replace('\\\\', '\\'))
  const expected = ',' + formatRow(decoded, formatters, 1)
  for (let cut = 0; cut <= bytes.length; cut++) {
    const encoder = new TextRowsEncoder({ fields, formatters, timeZone, datetimeFormat: 'iso' })
    const parts = [encoder.push(bytes.subarray(0, cut)), encoder.push(bytes.subarray(cut))]
    encoder.end()
    const text = Buffer.concat(parts.flatMap((part) => part === undefined ? [] : [Buffer.from(part.bytes)])).toString('utf8')
    if (text !== expected) {
      t.fail(`split at byte ${cut}`, { found: text, wanted: expected })
      return
    }
  }
  t.pass(`every split: ${expected}`)
})

t.test('a UTC wall time read into a field of another type is marked as an instant, as the row path marks it', async (t) => {
  const timeZone = new TimeZone('Europe/Berlin')
  const fields: FieldInfo[] = [{ code: 'AT', type: 'string' }, { code: 'ID', type: 'int' }]
  const formatters = fields.map((field) => valueFormatter(field, { timeZone, datetimeFormat: 'iso' }))
  const encoder = new TextRowsEncoder({ fields, formatters, timeZone, datetimeFormat: 'iso', utcColumns: new Set([0]) })
  const encoded = encoder.push(Buffer.from('2026-03-29 01:30:00\t1\n\\N\t2\n'))
  t.equal(Buffer.from(encoded!.bytes).toString(), `,[${formatters[0]!('2026-03-29 01:30:00Z')},1],[null,2]`)
})

t.test('numbers the row path gets as JS numbers: the source\'s spelling written as JS writes the double it spells', async (t) => {
  const timeZone = new TimeZone('UTC')
  const fields: FieldInfo[] = [{ code: 'D', type: 'double' }, { code: 'I', type: 'int' }, { code: 'M', type: 'money' }]
  const rows: Array<[string, number | bigint | null, number | bigint | null, number | bigint | null]> = [
    ['1e+20\t1e+20\t0.0', 1e20, 1e20, 0],
    ['-0.0\t3.0\t9007199254740992.0', -0, 3, 9007199254740992],
    ['1.5e-07\t-9223372036854775808\t5e-324', 1.5e-7, -9223372036854775808n, 5e-324],
    ['nan\t42\t-inf', NaN, 42, -Infinity],
    ['inf\t\\N\t1.7976931348623157e+308', Infinity, null, 1.7976931348623157e308]
  ]
  const formatters = fields.map((field) => valueFormatter(field, { timeZone, datetimeFormat: 'iso' }))
  const encoder = new TextRowsEncoder({ fields, formatters, timeZone, datetimeFormat: 'iso', jsNumbers: new Set([0, 1, 2]) })
  const encoded = encoder.push(Buffer.from(rows.map(([line]) => line + '\n').join('')))
  t.equal(Buffer.from(encoded!.bytes).toString(), rows.map(([, ...values], index) => ',' + formatRow(values, formatters, index + 1)).join(''))
  t.throws(() => new TextRowsEncoder({ fields, formatters, timeZone, datetimeFormat: 'iso', jsNumbers: new Set([1]) }).push(Buffer.from('0\t0.5\t0\n')),
    { code: 'B24BI_ERR_VALUE_INVALID', message: /got the number 0.5 in row 1/ }, 'a fraction in an int field is the row path\'s error')
})
