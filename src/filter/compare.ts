import type { FieldType } from '../core/field-types.js'
import type { TimeZone } from '../core/time-zone.js'
import type { DateTimeValue, FilterValue } from '../core/filter-ast.js'
import { canonicalNumber, OUT_OF_RANGE } from './coerce.js'

/**
 * Compares a row value with one precompiled filter value: negative, 0 or positive like `a - b`,
 * or undefined when the row value is NULL (or not comparable), so every comparison with it is false.
 */
export type Comparator = (row: unknown) => number | undefined

/**
 * Builds the comparator for one filter value of a field type. Numbers: a JS number row compares as a double
 * (as SQL compares a DOUBLE column); a bigint or decimal-string row compares exactly. Strings: by code point.
 * Dates and datetimes: a `Date` row as an instant, a string row as a wall time.
 */
export function comparator (type: FieldType, value: FilterValue, timeZone?: TimeZone): Comparator {
  switch (type) {
    case 'int':
    case 'double':
    case 'money': return numberComparator(value as string)
    case 'string':
    case 'timezone': return (row) => row === null || row === undefined ? undefined : compareText(toText(row), value as string)
    case 'date': return dateComparator(value as string, timeZone)
    case 'datetime': return dateTimeComparator(value as DateTimeValue)
  }
}

/** A row value as text, for string fields: booleans as 1/0, numbers as JS prints them. */
export function toText (row: unknown): string {
  if (typeof row === 'string') return row
  if (typeof row === 'boolean') return row ? '1' : '0'
  return String(row)
}

/** Code point order (UTF-8 byte order, as SQL's binary collations), not JS's UTF-16 code unit order. */
export function compareText (a: string, b: string): number {
  if (a === b) return 0
  const length = Math.min(a.length, b.length)
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index)
    const y = b.charCodeAt(index)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

// Surrogates (D800-DFFF) stand for code points above FFFF, so they rank after E000-FFFF.
function codePointRank (unit: number): number {
  if (unit < 0xd800) return unit
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000
}

function numberComparator (canonical: string): Comparator {
  const asDouble = Number(canonical)
  const point = canonical.indexOf('.')
  const floor = point < 0 ? BigInt(canonical) : BigInt(canonical.slice(0, point)) - (canonical.startsWith('-') ? 1n : 0n)
  const whole = point < 0
  return (row) => {
    if (typeof row === 'number') return Number.isNaN(row) ? undefined : row < asDouble ? -1 : row > asDouble ? 1 : 0
    if (typeof row === 'bigint') return row > floor ? 1 : row < floor ? -1 : whole ? 0 : -1
    if (typeof row === 'string') {
      const exact = canonicalNumber(row.trim())
      return exact === undefined || exact === OUT_OF_RANGE ? undefined : compareDecimal(exact, canonical)
    }
    if (typeof row === 'boolean') return (row ? 1 : 0) - asDouble
    return undefined
  }
}

/** Compares two canonical decimal strings (see `canonicalNumber`) exactly. */
export function compareDecimal (a: string, b: string): number {
  const negative = a.startsWith('-')
  if (negative !== b.startsWith('-')) return negative ? -1 : 1
  const magnitude = compareMagnitude(negative ? a.slice(1) : a, negative ? b.slice(1) : b)
  return negative ? -magnitude : magnitude
}

function compareMagnitude (a: string, b: string): number {
  const [aWhole = '', aFraction = ''] = a.split('.')
  const [bWhole = '', bFraction = ''] = b.split('.')
  if (aWhole.length !== bWhole.length) return aWhole.length - bWhole.length
  if (aWhole !== bWhole) return aWhole < bWhole ? -1 : 1
  return aFraction === bFraction ? 0 : aFraction < bFraction ? -1 : 1
}

function dateComparator (date: string, timeZone: TimeZone | undefined): Comparator {
  return (row) => {
    if (typeof row === 'string') return compareText(row.length === 10 ? row : row.slice(0, 10), date)
    if (row instanceof Date) {
      const day = timeZone === undefined ? row.toISOString().slice(0, 10) : timeZone.wallTime(row).slice(0, 10)
      return compareText(day, date)
    }
    return undefined
  }
}

function dateTimeComparator (value: DateTimeValue): Comparator {
  const instant = value.instant.getTime()
  const wall = value.wall
  return (row) => {
    if (row instanceof Date) {
      const ms = row.getTime()
      return Number.isNaN(ms) ? undefined : ms - instant
    }
    if (typeof row !== 'string') return undefined
    if (row.length === 19 && row.charCodeAt(10) === 32) return compareText(row, wall)
    return compareWallText(row, wall, instant)
  }
}

// The rarer spellings of a wall time: `YYYY-MM-DD`, a `T`, fractions of a second, or an offset (then an instant).
function compareWallText (row: string, wall: string, instant: number): number | undefined {
  if (row.length === 10) return compareText(`${row} 00:00:00`, wall)
  const tail = row.slice(19)
  if (/^(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/.test(tail)) {
    const ms = Date.parse(row)
    return Number.isNaN(ms) ? undefined : ms - instant
  }
  if (!/^(?:\.\d*)?$/.test(tail)) return undefined
  const head = compareText(`${row.slice(0, 10)} ${row.slice(11, 19)}`, wall)
  return head !== 0 ? head : /[1-9]/.test(tail) ? 1 : 0
}

/**
 * IN as a set lookup, in O(1) per row whatever the list's length, with exactly the equality of {@link comparator}:
 * numbers by canonical decimal text (a bigint or decimal-string row exactly; a JS number row as a double), strings by
 * text, dates by day, datetimes by wall time or, for an instant (a `Date` or a string with an offset), by instant.
 * NULL is no member.
 */
export function membership (type: FieldType, values: readonly FilterValue[], timeZone?: TimeZone): (row: unknown) => boolean {
  switch (type) {
    case 'int':
    case 'double':
    case 'money': return numberMembership(values as string[])
    case 'string':
    case 'timezone': {
      const set = new Set(values as string[])
      return (row) => row !== null && row !== undefined && set.has(toText(row))
    }
    case 'date': {
      const set = new Set(values as string[])
      return (row) => {
        if (typeof row === 'string') return set.has(row.length === 10 ? row : row.slice(0, 10))
        if (row instanceof Date) return set.has(timeZone === undefined ? row.toISOString().slice(0, 10) : timeZone.wallTime(row).slice(0, 10))
        return false
      }
    }
    case 'datetime': return dateTimeMembership(values as DateTimeValue[])
  }
}

function numberMembership (canonicals: readonly string[]): (row: unknown) => boolean {
  const exact = new Set(canonicals)
  const doubles = new Set(canonicals.map(Number))
  return (row) => {
    if (typeof row === 'number' || typeof row === 'boolean') return doubles.has(Number(row))
    if (typeof row === 'bigint') return exact.has(row.toString())
    if (typeof row === 'string') {
      const canonical = canonicalNumber(row.trim())
      return canonical !== undefined && exact.has(canonical)
    }
    return false
  }
}

function dateTimeMembership (values: readonly DateTimeValue[]): (row: unknown) => boolean {
  const walls = new Set(values.map((value) => value.wall))
  const instants = new Set(values.map((value) => value.instant.getTime()))
  return (row) => {
    if (row instanceof Date) return instants.has(row.getTime())
    if (typeof row !== 'string') return false
    if (row.length === 19 && row.charCodeAt(10) === 32) return walls.has(row)
    if (row.length === 10) return walls.has(`${row} 00:00:00`)
    const tail = row.slice(19)
    if (/^(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/.test(tail)) return instants.has(Date.parse(row))
    if (!/^(?:\.\d*)?$/.test(tail) || /[1-9]/.test(tail)) return false
    return walls.has(`${row.slice(0, 10)} ${row.slice(11, 19)}`)
  }
}
