import { ERR_VALUE_INVALID } from './errors.js'
import type { FieldInfo } from './field-types.js'
import type { TimeZone } from './time-zone.js'

/** How datetimes are written: the portal's default `Y-m-d H:i:s`, or ISO 8601 with the zone's offset. */
export type DateTimeFormat = 'Y-m-d H:i:s' | 'iso'

/**
 * Formats one value as a JSON text fragment. `row` (1-based, the answer's row) is only used to name the row in
 * the `B24BI_ERR_VALUE_INVALID` a value that is not of the field's type throws.
 */
export type ValueFormatter = (value: unknown, row?: number) => string

/** What the formatters need to know. */
export interface FormatOptions {
  timeZone: TimeZone
  datetimeFormat: DateTimeFormat
  /** Called once per field when a double was NaN or ±Infinity and became null. */
  onNonFinite?: (field: string) => void
}

const JSON_INTEGER = /^-?(?:0|[1-9]\d*)$/
const LOOSE_INTEGER = /^[+-]?\d+(?:\.0*)?$/
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const LOOSE_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/
const ZERO_OFFSET = /^(?:z|[+-]00(?::?00)?)$/i
const DATE_PREFIX = /^\d{4}-\d{2}-\d{2}/
const DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

function normalizeOffset (zone: string): string {
  if (zone.length === 3) return `${zone}:00`
  if (zone.length === 5) return `${zone.slice(0, 3)}:${zone.slice(3)}`
  return zone
}

/** How much of a wrong value an error shows: enough to find it in the source, never a whole document. */
const SHOWN_VALUE_CHARACTERS = 40

/** What each type accepts, as the value errors say it. */
const EXPECTED: Readonly<Record<string, string>> = {
  int: 'an integer: a number, a bigint or a string of digits such as \'-42\'',
  double: 'a number or a decimal string such as \'-12.50\'',
  money: 'a number or a decimal string such as \'-12.50\'',
  date: 'a Date or a string \'YYYY-MM-DD\' (e.g. \'2025-03-01\')',
  datetime: 'a Date or a string \'YYYY-MM-DD HH:MM:SS\', optionally with \'T\', a fraction and a zone such as \'Z\' or \'+03:00\'',
  string: 'a string, a number, a Date, bytes or a value JSON.stringify can write'
}

function cut (text: string): string {
  return text.length <= SHOWN_VALUE_CHARACTERS ? text : `${text.slice(0, SHOWN_VALUE_CHARACTERS)}… (${text.length} characters)`
}

/** The wrong value as an error shows it: strings quoted and cut, other values named by their kind. */
function shownValue (value: unknown): string {
  switch (typeof value) {
    case 'string': return `'${cut(value)}'`
    case 'number': return `the number ${String(value)}`
    case 'bigint': return `the bigint ${value.toString()}`
    case 'boolean': return `the boolean ${String(value)}`
    case 'object': {
      if (value === null) return 'null'
      if (value instanceof Date) return 'an invalid Date'
      const constructor = (value as { constructor?: { name?: unknown } }).constructor?.name
      const kind = Array.isArray(value) ? 'an array' : typeof constructor === 'string' && constructor !== 'Object' ? `a ${constructor}` : 'an object'
      try {
        return `${kind} ${cut(JSON.stringify(value))}`
      } catch {
        return kind
      }
    }
    default: return `a ${typeof value}`
  }
}

function invalid (field: FieldInfo, value: unknown, row: number | undefined): never {
  const where = row === undefined ? '' : ` in row ${row}`
  throw new ERR_VALUE_INVALID(field.code, field.type, shownValue(value) + where, EXPECTED[field.type] ?? EXPECTED.string!)
}

function formatInt (field: FieldInfo): ValueFormatter {
  return (value, row) => {
    if (value === null || value === undefined) return 'null'
    switch (typeof value) {
      case 'number':
        if (Number.isSafeInteger(value)) return String(value)
        if (Number.isInteger(value)) return BigInt(value).toString()
        return invalid(field, value, row)
      case 'bigint':
        return value.toString()
      case 'string':
        if (JSON_INTEGER.test(value)) return value
        if (LOOSE_INTEGER.test(value)) return BigInt(value.split('.')[0]!).toString()
        return invalid(field, value, row)
      case 'boolean':
        return value ? '1' : '0'
      default:
        return invalid(field, value, row)
    }
  }
}

/** Rewrites a decimal string the source may give (`+1.50`, `.5`, `1.`, `007`) as a JSON number, digit for digit. */
function canonicalDecimal (text: string): string | undefined {
  const match = LOOSE_DECIMAL.exec(text)
  if (match === null) return undefined
  const [, sign, whole = '', fraction = '', exponent] = match
  if (whole === '' && fraction === '') return undefined
  const integer = whole.replace(/^0+(?=\d)/, '') || '0'
  const digits = fraction === '' ? integer : `${integer}.${fraction}`
  return `${sign === '-' ? '-' : ''}${digits}${exponent === undefined ? '' : `e${exponent}`}`
}

function formatDecimal (field: FieldInfo, options: FormatOptions): ValueFormatter {
  let noted = false
  const nonFinite = (): string => {
    if (!noted) {
      noted = true
      options.onNonFinite?.(field.code)
    }
    return 'null'
  }
  return (value, row) => {
    if (value === null || value === undefined) return 'null'
    switch (typeof value) {
      case 'number':
        return Number.isFinite(value) ? String(value) : nonFinite()
      case 'bigint':
        return value.toString()
      case 'string': {
        if (JSON_NUMBER.test(value)) return value
        if (/^[+-]?(?:nan|inf(?:inity)?)$/i.test(value)) return nonFinite()
        return canonicalDecimal(value) ?? invalid(field, value, row)
      }
      case 'boolean':
        return value ? '1' : '0'
      default:
        return invalid(field, value, row)
    }
  }
}

function formatString (field: FieldInfo, options: FormatOptions): ValueFormatter {
  const datetime = formatDateTime(field, options)
  return (value, row) => {
    if (value === null || value === undefined) return 'null'
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value)
      case 'number':
      case 'bigint':
      case 'boolean':
        return JSON.stringify(String(value))
      default:
        if (value instanceof Date) return datetime(value, row)
        if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'))
        try {
          return JSON.stringify(JSON.stringify(value))
        } catch {
          return invalid(field, value, row)
        }
    }
  }
}

function formatDate (field: FieldInfo): ValueFormatter {
  return (value, row) => {
    if (value === null || value === undefined) return 'null'
    if (typeof value === 'string' && DATE_PREFIX.test(value)) return `"${value.slice(0, 10)}"`
    if (value instanceof Date && !Number.isNaN(value.getTime())) return `"${value.toISOString().slice(0, 10)}"`
    return invalid(field, value, row)
  }
}

function formatDateTime (field: FieldInfo, options: FormatOptions): ValueFormatter {
  const { timeZone } = options
  const iso = options.datetimeFormat === 'iso'
  const utc = timeZone.name === 'UTC'
  const instant = (ms: number): string => `"${iso ? timeZone.isoTime(ms) : timeZone.wallTime(ms)}"`
  return (value, row) => {
    if (value === null || value === undefined) return 'null'
    if (value instanceof Date) {
      const ms = value.getTime()
      return Number.isNaN(ms) ? invalid(field, value, row) : instant(ms)
    }
    if (typeof value !== 'string') return invalid(field, value, row)
    const match = DATETIME.exec(value)
    if (match === null) return invalid(field, value, row)
    const [, date, time = '00:00:00', , zone] = match
    const wall = `${date} ${time.length === 5 ? `${time}:00` : time}`
    // The common case (PostgreSQL's timestamptz in a UTC session, served in UTC): the wall time is already the answer.
    if (zone !== undefined && utc && ZERO_OFFSET.test(zone)) return `"${iso ? `${date}T${wall.slice(11)}Z` : wall}"`
    if (zone !== undefined) {
      const ms = Date.parse(`${wall.replace(' ', 'T')}${normalizeOffset(zone)}`)
      return Number.isNaN(ms) ? invalid(field, value, row) : instant(ms)
    }
    return `"${iso ? wall.replace(' ', 'T') : wall}"`
  }
}

/** The formatter for one field: exact numbers verbatim, dates as `Y-m-d`, datetimes in the configured zone. */
export function valueFormatter (field: FieldInfo, options: FormatOptions): ValueFormatter {
  switch (field.type) {
    case 'int': return formatInt(field)
    case 'double':
    case 'money': return formatDecimal(field, options)
    case 'date': return formatDate(field)
    case 'datetime': return formatDateTime(field, options)
    default: return formatString(field, options)
  }
}

/** Formats one row (values in field order) as a JSON array; `rowNumber` (1-based) is named in a value error. */
export function formatRow (row: readonly unknown[], formatters: readonly ValueFormatter[], rowNumber?: number): string {
  let out = '['
  for (let i = 0; i < formatters.length; i++) {
    if (i > 0) out += ','
    out += formatters[i]!(row[i], rowNumber)
  }
  return out + ']'
}
