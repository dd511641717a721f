import { ERR_FILTER_VALUE } from '../errors.js'
import type { FieldType } from '../field-types.js'
import type { TimeZone } from '../time-zone.js'
import type { FilterValue } from './ast.js'

/** An int filter value may have at most this many digits (DECIMAL(38, 0), the widest exact integer SQL engines share). */
export const MAX_INT_DIGITS = 38
const MAX_DECIMAL_LENGTH = 400

const INT = /^([+-]?)0*(\d+?)(?:\.0*)?$/
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/
const DMY = /^(\d{2})\.(\d{2})\.(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/
const YMD = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * Coerces one scalar from the portal to the canonical value of a field type (see `FilterValue`).
 * Numbers and dates are trimmed; strings are kept as they are. Throws `ERR_FILTER_VALUE` naming `key`.
 */
export function coerceValue (key: string, type: FieldType, raw: unknown, timeZone: TimeZone): FilterValue {
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new ERR_FILTER_VALUE(key, `a ${typeof raw} is not a ${type}`)
  const text = String(raw)
  switch (type) {
    case 'string':
    case 'timezone':
      // No text column of PostgreSQL can hold NUL, and C-string engines cut at it: refuse it everywhere alike.
      if (text.includes('\u0000')) throw new ERR_FILTER_VALUE(key, 'text must not contain a NUL character')
      return text
    case 'int': return canonicalInt(key, text.trim())
    case 'double':
    case 'money': return canonicalDecimal(key, text.trim())
    case 'date': return coerceDate(key, text.trim(), timeZone)
    case 'datetime': return coerceDateTime(key, text.trim(), timeZone)
  }
}

function canonicalInt (key: string, text: string): string {
  const match = INT.exec(text)
  if (match === null) throw new ERR_FILTER_VALUE(key, `'${preview(text)}' is not an integer`)
  const digits = match[2]!
  if (digits.length > MAX_INT_DIGITS) throw new ERR_FILTER_VALUE(key, `the integer has more than ${MAX_INT_DIGITS} digits`)
  return match[1] === '-' && digits !== '0' ? `-${digits}` : digits
}

function canonicalDecimal (key: string, text: string): string {
  const canonical = canonicalNumber(text)
  if (canonical === undefined) throw new ERR_FILTER_VALUE(key, `'${preview(text)}' is not a number`)
  if (canonical === OUT_OF_RANGE) throw new ERR_FILTER_VALUE(key, 'the number is out of range')
  return canonical
}

const OUT_OF_RANGE = 'out of range'

/**
 * The canonical exact decimal string of a number's text: `-2.50E3` → `-2500`, `.5` → `0.5`, `-0` → `0`
 * (no doubles involved); undefined when `text` is not a number, `'out of range'` when it is too long.
 */
export function canonicalNumber (text: string): string | undefined {
  const match = DECIMAL.exec(text)
  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) return undefined
  const [, sign, whole = '', fraction = '', exponent = '0'] = match
  let digits = whole + fraction
  let point = whole.length + Number(exponent)
  const leading = digits.length - digits.replace(/^0+/, '').length
  digits = digits.slice(leading)
  point -= leading
  digits = digits.replace(/0+$/, '')
  if (digits === '') return '0'
  if (Math.abs(point) + digits.length > MAX_DECIMAL_LENGTH) return OUT_OF_RANGE
  let body: string
  if (point <= 0) body = `0.${'0'.repeat(-point)}${digits}`
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length)
  else body = `${digits.slice(0, point)}.${digits.slice(point)}`
  return sign === '-' ? `-${body}` : body
}

interface Parsed {
  date: string
  time: string
  /** Minutes east of UTC when the input named an offset (`Z` is 0). */
  offset?: number
}

function parseDateTimeText (key: string, text: string): Parsed {
  const dmy = DMY.exec(text)
  const ymd = dmy === null ? YMD.exec(text) : null
  if (dmy === null && ymd === null) throw new ERR_FILTER_VALUE(key, `'${preview(text)}' is not a date`)
  const [year, month, day] = dmy !== null ? [dmy[3]!, dmy[2]!, dmy[1]!] : [ymd![1]!, ymd![2]!, ymd![3]!]
  const m = (dmy ?? ymd)!
  const [hour = '00', minute = '00', second = '00'] = [m[4], m[5], m[6]]
  checkCalendar(key, Number(year), Number(month), Number(day))
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) throw new ERR_FILTER_VALUE(key, `'${preview(text)}' is not a time of day`)
  if (ymd?.[7] !== undefined && /[1-9]/.test(ymd[7])) throw new ERR_FILTER_VALUE(key, 'fractions of a second are not supported')
  const parsed: Parsed = { date: `${year}-${month}-${day}`, time: `${hour}:${minute}:${second}` }
  const zone = ymd?.[8]
  if (zone !== undefined) parsed.offset = parseOffset(key, zone)
  return parsed
}

function parseOffset (key: string, zone: string): number {
  if (zone === 'Z') return 0
  const hours = Number(zone.slice(1, 3))
  const minutes = Number(zone.slice(-2))
  if (hours > 18 || minutes > 59) throw new ERR_FILTER_VALUE(key, `'${zone}' is not a UTC offset`)
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
}

function checkCalendar (key: string, year: number, month: number, day: number): void {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  if (year < 1 || days === undefined || day < 1 || day > days) {
    throw new ERR_FILTER_VALUE(key, `${year}-${month}-${day} is not a calendar date`)
  }
}

function utcMillis (date: string, time: string): number {
  const ms = new Date(0)
  ms.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))
  ms.setUTCHours(Number(time.slice(0, 2)), Number(time.slice(3, 5)), Number(time.slice(6, 8)), 0)
  return ms.getTime()
}

/** A datetime: a wall time is read in the zone; an ISO instant with an offset is converted to the zone's wall time. */
function coerceDateTime (key: string, text: string, timeZone: TimeZone): FilterValue {
  const parsed = parseDateTimeText(key, text)
  if (parsed.offset === undefined) {
    const wall = `${parsed.date} ${parsed.time}`
    return { wall, instant: timeZone.instant(wall) }
  }
  const instant = new Date(utcMillis(parsed.date, parsed.time) - parsed.offset * 60_000)
  const wall = timeZone.wallTime(instant)
  if (!/^\d{4}-/.test(wall)) throw new ERR_FILTER_VALUE(key, 'the instant is out of range')
  return { wall, instant }
}

/** A date: a date-time input is accepted only at midnight (in the zone, for an ISO instant), since a date has no time of day. */
function coerceDate (key: string, text: string, timeZone: TimeZone): FilterValue {
  const value = coerceDateTime(key, text, timeZone) as { wall: string }
  if (!value.wall.endsWith(' 00:00:00')) throw new ERR_FILTER_VALUE(key, 'a date field takes no time of day other than 00:00:00')
  return value.wall.slice(0, 10)
}

function preview (text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text
}
