import { ERR_FILTER_VALUE } from '../core/errors.js'
import type { FieldType } from '../core/field-types.js'
import type { TimeZone } from '../core/time-zone.js'
import type { DateTimeValue, FilterValue } from '../core/filter-ast.js'
import { type PortalDateOrder, readDateTimeText, valuePreview } from './portal-date.js'

/** An int filter value may have at most this many digits (DECIMAL(38, 0), the widest exact integer SQL engines share). */
export const MAX_INT_DIGITS = 38
/**
 * A money filter value may have at most this many digits after the point: an engine compares it as DECIMAL(38, scale),
 * which beyond this leaves too few whole digits for a money column (DuckDB: DECIMAL(18, 2) against 37 fraction digits
 * overflows). Money is kept in cents or a few digits more; 18 still leaves 20 whole digits.
 */
export const MAX_MONEY_FRACTION_DIGITS = 18
const MAX_DECIMAL_LENGTH = 400

const INT = /^([+-]?)0*(\d+?)(?:\.0*)?$/
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/

/** How {@link coerceValue} reads dates. */
export interface CoerceOptions {
  /** The zone wall times are read in and ISO instants are converted to. */
  timeZone: TimeZone
  /** Which number of a slashed date is the month (from the portal's date format). */
  dateOrder?: PortalDateOrder
  /** For `date` fields: which day a value with a time of day after midnight gives (see `coerceDate`). Default `exact`. */
  round?: 'floor' | 'ceil' | 'exact'
}

/**
 * Coerces one scalar from the portal to the canonical value of a field type (see `FilterValue`).
 * Numbers and dates are trimmed; strings are kept as they are. Throws `ERR_FILTER_VALUE` naming `key`.
 */
export function coerceValue (key: string, type: FieldType, raw: unknown, options: CoerceOptions): FilterValue {
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new ERR_FILTER_VALUE(key, `a ${typeof raw} is not a ${type}`)
  const text = String(raw)
  switch (type) {
    case 'string':
    case 'timezone':
      // No text column of PostgreSQL can hold NUL, and C-string engines cut at it: refuse it everywhere alike.
      if (text.includes('\u0000')) throw new ERR_FILTER_VALUE(key, 'text must not contain a NUL character')
      return text
    case 'int': return coerceInt(key, text.trim())
    case 'double': return coerceDecimal(key, text.trim())
    case 'money': return coerceMoney(key, text.trim())
    case 'date': return coerceDate(key, text.trim(), options)
    case 'datetime': return coerceDateTime(key, text.trim(), options)
  }
}

function coerceInt (key: string, text: string): string {
  const match = INT.exec(text)
  if (match === null) throw new ERR_FILTER_VALUE(key, `'${valuePreview(text)}' is not an integer`)
  const digits = match[2]!
  if (digits.length > MAX_INT_DIGITS) throw new ERR_FILTER_VALUE(key, `the integer has more than ${MAX_INT_DIGITS} digits`)
  return match[1] === '-' && digits !== '0' ? `-${digits}` : digits
}

function coerceDecimal (key: string, text: string): string {
  const canonical = canonicalNumber(text)
  if (canonical === undefined) throw new ERR_FILTER_VALUE(key, `'${valuePreview(text)}' is not a number`)
  if (canonical === OUT_OF_RANGE) throw new ERR_FILTER_VALUE(key, 'the number is out of range')
  return canonical
}

function coerceMoney (key: string, text: string): string {
  const canonical = coerceDecimal(key, text)
  const point = canonical.indexOf('.')
  if (point >= 0 && canonical.length - point - 1 > MAX_MONEY_FRACTION_DIGITS) {
    throw new ERR_FILTER_VALUE(key, `a money value has at most ${MAX_MONEY_FRACTION_DIGITS} digits after the point`)
  }
  return canonical
}

/** What `canonicalNumber` answers for a number too long to hold exactly. */
export const OUT_OF_RANGE = 'out of range'

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

function utcMillis (date: string, time: string): number {
  const ms = new Date(0)
  ms.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))
  ms.setUTCHours(Number(time.slice(0, 2)), Number(time.slice(3, 5)), Number(time.slice(6, 8)), 0)
  return ms.getTime()
}

/** A datetime: a wall time is read in the zone; an ISO instant with an offset is converted to the zone's wall time. */
function coerceDateTime (key: string, text: string, options: CoerceOptions): DateTimeValue {
  const parsed = readDateTimeText(key, text, options.dateOrder)
  if (parsed.offset === undefined) {
    const wall = `${parsed.date} ${parsed.time}`
    return { wall, instant: options.timeZone.instant(wall) }
  }
  const instant = new Date(utcMillis(parsed.date, parsed.time) - parsed.offset * 60_000)
  const wall = options.timeZone.wallTime(instant)
  if (!/^\d{4}-/.test(wall)) throw new ERR_FILTER_VALUE(key, 'the instant is out of range')
  return { wall, instant }
}

/**
 * A date. A date-time input means its wall time in the zone; a date compares as its midnight with it, so
 * `round` says which day a time of day after midnight gives: `floor` its own day (for `>` and `<=`: `<= 31.05 23:59:59`
 * keeps 31 May), `ceil` the next day (for `>=` and `<`: `>= 01.05 10:00` starts on 2 May), `exact` refuses it
 * (equality: a date never equals a time after midnight).
 */
function coerceDate (key: string, text: string, options: CoerceOptions): string {
  const { wall } = coerceDateTime(key, text, options)
  const day = wall.slice(0, 10)
  if (wall.endsWith(' 00:00:00')) return day
  const round = options.round ?? 'exact'
  if (round === 'floor') return day
  if (round === 'ceil') return nextDay(key, day)
  throw new ERR_FILTER_VALUE(key, 'a date field is compared for equality with no time of day other than 00:00:00')
}

function nextDay (key: string, day: string): string {
  const next = new Date(utcMillis(day, '00:00:00') + 86_400_000).toISOString()
  if (!next.startsWith('+')) return next.slice(0, 10)
  throw new ERR_FILTER_VALUE(key, 'the date is out of range')
}
