import { ERR_FIELD_NOT_FOUND, ERR_FILTER_KEY, ERR_FILTER_VALUE } from '../errors.js'
import { isTextType, type FieldInfo } from '../field-types.js'
import type { TimeZone } from '../time-zone.js'
import type { FilterCondition, FilterGroup, FilterNode, FilterOp, FilterValue } from './ast.js'
import { coerceValue } from './coerce.js'

/** Options of {@link parseFilter}. */
export interface ParseFilterOptions {
  /** The zone wall times are read in and ISO instants are converted to. */
  timeZone: TimeZone
  /** Finds the field a filter key names (the portal's field names, mapFields); default: the exact code only. */
  resolveField?: (name: string) => FieldInfo | undefined
}

/** Groups may nest this deep (the top level counts as 1). */
export const MAX_FILTER_DEPTH = 8

type KeyOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'between' | 'notBetween' | 'like' | 'notLike' | 'contains' | 'notContains'

// Longest prefix first: `!><` before `><` before `>`.
const PREFIXES: ReadonlyArray<readonly [string, KeyOp]> = [
  ['!><', 'notBetween'], ['><', 'between'],
  ['>=', 'gte'], ['<=', 'lte'], ['<>', 'ne'], ['!=', 'ne'], ['!~', 'notLike'], ['!%', 'notContains'],
  ['=', 'eq'], ['!', 'ne'], ['>', 'gt'], ['<', 'lt'], ['~', 'like'], ['%', 'contains']
]
const OPERATOR_CHARS = /^[=!<>~%@*?#&|^$+-]/
const TEXT_OPS = new Set<KeyOp>(['like', 'notLike', 'contains', 'notContains'])

interface Context {
  fields: ReadonlyMap<string, FieldInfo>
  options: ParseFilterOptions
}

/**
 * Parses the portal's filter object (form-decoded: scalars are strings, arrays may be `{'0':..,'1':..}`)
 * into a typed tree. Unknown fields answer `ERR_FIELD_NOT_FOUND`, anything else not understood
 * `ERR_FILTER_KEY` / `ERR_FILTER_VALUE` naming the key: a condition is never dropped.
 * Returns undefined for an absent or empty filter.
 *
 * @example
 * parseFilter({ '>=DATE': '01.05.2025', '!STAGE': ['LOSE', 'APOLOGY'] }, fields, { timeZone })
 */
export function parseFilter (raw: unknown, fields: readonly FieldInfo[], options: ParseFilterOptions): FilterNode | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined
  if (typeof raw !== 'object') throw new ERR_FILTER_VALUE('filter', 'the filter must be an object')
  const context: Context = { fields: new Map(fields.map((field) => [field.code, field])), options }
  const group = parseGroup('filter', raw as object, 1, context)
  if (group.items.length === 0) return undefined
  return group.items.length === 1 ? group.items[0] : group
}

function parseGroup (key: string, raw: object, depth: number, context: Context): FilterGroup {
  if (depth > MAX_FILTER_DEPTH) throw new ERR_FILTER_KEY(key, `groups nest deeper than ${MAX_FILTER_DEPTH} levels`)
  let logic: 'AND' | 'OR' = 'AND'
  const items: FilterNode[] = []
  for (const [itemKey, value] of Object.entries(raw)) {
    if (itemKey === 'LOGIC') {
      logic = parseLogic(value)
      continue
    }
    const item = parseItem(itemKey, value, depth, context)
    items.push(item.kind === 'group' && item.items.length === 1 ? item.items[0]! : item)
  }
  return { kind: 'group', logic, items }
}

function parseLogic (value: unknown): 'AND' | 'OR' {
  const logic = typeof value === 'string' ? value.trim().toUpperCase() : undefined
  if (logic === 'AND' || logic === 'OR') return logic
  throw new ERR_FILTER_VALUE('LOGIC', "must be 'AND' or 'OR'")
}

function parseItem (key: string, value: unknown, depth: number, context: Context): FilterNode {
  const [prefix, op] = PREFIXES.find(([p]) => key.startsWith(p)) ?? ['', 'eq' as const]
  const code = key.slice(prefix.length)
  const field = context.options.resolveField !== undefined ? context.options.resolveField(code) : context.fields.get(code)
  if (field !== undefined) return parseCondition(key, op, field, value, context)
  if (prefix === '' && isObject(value)) return parseGroup(key, value, depth + 1, context)
  if (code === '') throw new ERR_FILTER_KEY(key, 'no field is named')
  if (OPERATOR_CHARS.test(code)) throw new ERR_FILTER_KEY(key, 'unknown operator')
  throw new ERR_FIELD_NOT_FOUND(code, 'filter')
}

function parseCondition (key: string, op: KeyOp, field: FieldInfo, value: unknown, context: Context): FilterCondition {
  if (TEXT_OPS.has(op) && !isTextType(field.type)) {
    throw new ERR_FILTER_KEY(key, `the operator applies only to string fields, '${field.code}' is ${field.type}`)
  }
  const make = (finalOp: FilterOp, values: FilterValue[]): FilterCondition =>
    ({ kind: 'condition', key, field: field.code, type: field.type, op: finalOp, values })
  const coerce = (item: unknown): FilterValue => {
    if (item === null || item === undefined) throw new ERR_FILTER_VALUE(key, 'null is not allowed here')
    if (typeof item === 'object') throw new ERR_FILTER_VALUE(key, 'a list or object where one value is needed')
    return coerceValue(key, field.type, item, context.options.timeZone)
  }
  const list = listOf(value)
  if (op === 'eq' || op === 'ne') {
    if (value === null) return make(op === 'eq' ? 'isNull' : 'notNull', [])
    if (list === undefined) return make(op, [coerce(value)])
    if (list.length === 0) throw new ERR_FILTER_VALUE(key, 'the list is empty')
    return make(op === 'eq' ? 'in' : 'notIn', list.map(coerce))
  }
  if (op === 'between' || op === 'notBetween') {
    if (list?.length !== 2) throw new ERR_FILTER_VALUE(key, 'between takes a list of exactly two values [from, to]')
    return make(op, list.map(coerce))
  }
  if (op === 'like' || op === 'notLike') return make(op, [checkLikePattern(key, coerce(value))])
  return make(op, [coerce(value)])
}

function checkLikePattern (key: string, pattern: FilterValue): FilterValue {
  if (/(?:^|[^\\])(?:\\\\)*\\$/.test(pattern as string)) {
    throw new ERR_FILTER_VALUE(key, 'the LIKE pattern ends with the escape character \\')
  }
  return pattern
}

/** The items of an array, or of an object keyed exactly '0'..'n-1' (PHP's form encoding); else undefined. */
function listOf (value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value
  if (!isObject(value)) return undefined
  const keys = Object.keys(value)
  const items: unknown[] = []
  for (let index = 0; index < keys.length; index++) {
    if (!Object.hasOwn(value, String(index))) return undefined
    items.push((value as Record<string, unknown>)[String(index)])
  }
  return items
}

function isObject (value: unknown): value is object {
  return typeof value === 'object' && value !== null
}
