import { isCalendarDate, JsonNumber, parseExactJson } from '../../src/adapter-kit/index.js'
import { ERR_SOURCE_FAILED } from '../../src/core/errors.js'
import { suggestDatasetFieldName, type FieldType } from '../../src/core/field-types.js'
import type { HttpField } from './http-options.js'

/** The value at a dotted path (`data.items`); the value itself for an empty path. */
export function valueAt (value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '') return value
  let current = value
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

// 16+ digits cannot all survive a JS double: only then is the slower exact parser needed.
const LONG_NUMBER = /\d{16,}/

/** Parses an API answer; numbers too long for a double are kept as their text (see `JsonNumber`). */
export function parseApiJson (text: string): unknown {
  try {
    return LONG_NUMBER.test(text) ? parseExactJson(text) : JSON.parse(text)
  } catch (error) {
    throw new ERR_SOURCE_FAILED({ cause: error })
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/
const ZONED_DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i

function kindOf (value: unknown): FieldType | 'zoned' | undefined {
  if (value === null || value === undefined) return undefined
  if (value instanceof JsonNumber) return /^-?\d+$/.test(value.text) ? 'int' : 'double'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double'
  if (typeof value === 'boolean') return 'int'
  if (typeof value !== 'string') return 'string'
  const day = DATE.exec(value)
  if (day !== null) return isCalendarDate(Number(day[1]), Number(day[2]), Number(day[3])) ? 'date' : 'string'
  if (ZONED_DATETIME.test(value)) return 'zoned'
  if (DATETIME.test(value)) return 'datetime'
  return 'string'
}

function merge (a: FieldType | 'zoned' | undefined, b: FieldType | 'zoned' | undefined): FieldType | 'zoned' | undefined {
  if (a === undefined || a === b) return b
  if (b === undefined) return a
  if ((a === 'int' && b === 'double') || (a === 'double' && b === 'int')) return 'double'
  return 'string'
}

/**
 * Infers fields from sample rows: each top-level key becomes a field (code made dataset-safe, `path` the key);
 * integers → int, other numbers → double, booleans → int, `YYYY-MM-DD` → date, date-times → datetime
 * (zone-aware when they carry an offset), anything else (and mixed kinds) → string. `types` overrides by key.
 */
export function inferFields (rows: readonly unknown[], types: Readonly<Record<string, FieldType>> = {}): HttpField[] {
  const kinds = new Map<string, FieldType | 'zoned' | undefined>()
  for (const row of rows.slice(0, 200)) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) continue
    for (const [key, value] of Object.entries(row)) kinds.set(key, merge(kinds.get(key), kindOf(value)))
  }
  const used = new Set<string>()
  return [...kinds.entries()].map(([key, kind]) => {
    let code = suggestDatasetFieldName(key)
    for (let n = 2; used.has(code); n++) code = `${suggestDatasetFieldName(key).slice(0, 29)}_${n}`
    used.add(code)
    const type = types[key] ?? (kind === 'zoned' ? 'datetime' : kind ?? 'string')
    return { code, name: key, path: key, type, ...(kind === 'zoned' && type === 'datetime' ? { zoned: true } : {}) }
  })
}

/** A row value as the runtime takes it: long numbers as their text, epoch numbers of datetimes as Dates. */
export function runtimeValue (value: unknown, field: HttpField): unknown {
  if (value instanceof JsonNumber) return value.text
  if (field.type === 'datetime' && typeof value === 'number') return new Date(value < 1e11 ? value * 1000 : value)
  return value
}
