import { ERR_FIELD_NOT_FOUND, ERR_FILTER_KEY, ERR_FILTER_VALUE } from '../core/errors.js'
import { isTextType, type FieldInfo } from '../core/field-types.js'
import type { TimeZone } from '../core/time-zone.js'
import type { FilterCondition, FilterGroup, FilterNode, FilterOp, FilterValue } from '../core/filter-ast.js'
import { type CoerceOptions, coerceValue } from './coerce.js'
import { type PortalDateOrder, readPortalDateFormat } from './portal-date.js'

/** Options of {@link parseFilter}. */
export interface ParseFilterOptions {
  /** The zone wall times are read in and ISO instants are converted to. */
  timeZone: TimeZone
  /**
   * The portal's site date format (`DD.MM.YYYY`, `MM/DD/YYYY`, `DD/MM/YYYY`, `YYYY-MM-DD`, optionally with its
   * time part, see `PortalDateFormat`). It decides slashed dates the numbers do not (`05/06/2025`); without it
   * such a date is a coded 400. Unambiguous values are read whatever it says.
   */
  portalDateFormat?: string
  /**
   * Finds the field a filter key names (after its operator). Default: the field whose `code` is exactly the name.
   * Answering undefined makes the key a coded `B24BI_ERR_FIELD_NOT_FOUND`.
   */
  resolveField?: (name: string) => FieldInfo | undefined
}

/** Groups may nest this deep (the top level counts as 1). */
export const MAX_FILTER_DEPTH = 8

/** The operators a key can name before an optional leading `!` negates it. */
type KeyOp = 'eq' | 'gt' | 'gte' | 'lt' | 'lte' | 'between' | 'like' | 'contains'

// Longest prefix first: `><` before `>=` before `>`. `<>` is `!=`.
/** The operator prefixes of a filter key, longest first where one starts another; the filter table of docs/query-model.md lists each. */
export const FILTER_KEY_PREFIXES: ReadonlyArray<readonly [string, KeyOp]> = [
  ['><', 'between'], ['>=', 'gte'], ['<=', 'lte'], ['<>', 'eq'],
  ['=', 'eq'], ['>', 'gt'], ['<', 'lt'], ['~', 'like'], ['%', 'contains']
]
const OPERATOR_CHARS = /^[=!<>~%@*?#&|^$+-]/
const NUMBERED = /^\d+$/

interface Key {
  op: KeyOp
  negated: boolean
  /** The operator characters, `''` for a bare field. */
  prefix: string
  /** What follows the operator: the field's name. */
  name: string
}

interface Context {
  resolve: (name: string) => FieldInfo | undefined
  coerce: CoerceOptions
}

/**
 * Parses the portal's filter (form-decoded: scalars are strings, lists may be `{'0':..,'1':..}`; or JSON) into
 * a typed tree, as the portal's filter builder makes it (`DataSourceConnector\Connector\Base::getData`):
 * - a filter or group is an object (`LOGIC` AND/OR, default AND) or a list, whose items are AND-ed groups;
 *   a numbered key (or any key that names no field) holds a nested group, at any depth;
 * - every operator takes one value or a list: any of the values matches (`=` with a list is IN; one element is
 *   the value itself; `><` takes `[from, to]` or a list of such pairs);
 * - a leading `!` negates any operator (`!=`, `!%`, `!~`, `!><`, `!>`, `!>=`, `!<`, `!<=`; `!F` alone is `!=F`) and
 *   means NOT of the positive "any", so it holds for NULL: `!>F v` is `F IS NULL OR F <= v`;
 * - `=F` with `null` (JSON) or `false` (PHP's false in JSON) is IS NULL, `!=F` IS NOT NULL; on date and datetime
 *   fields so is `0` (how PHP's form encoding sends `false`); on other fields `0` is the value 0 / `'0'`;
 * - a date field compared with a date-time value compares as its day's midnight (see `coerceValue`).
 * Unknown fields answer `ERR_FIELD_NOT_FOUND`, anything else not understood `ERR_FILTER_KEY` /
 * `ERR_FILTER_VALUE` naming the key: a condition is never dropped. Returns undefined for an absent or empty filter.
 *
 * @example
 * parseFilter({ '>=DATE': '01.05.2025', '!STAGE': ['LOSE', 'APOLOGY'] }, fields, { timeZone })
 * parseFilter([{ LOGIC: 'OR', 0: { '=STAGE': ['WON'] }, 1: { '%TITLE': ['rush'] } }], fields, { timeZone })
 */
export function parseFilter (raw: unknown, fields: readonly FieldInfo[], options: ParseFilterOptions): FilterNode | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined
  if (typeof raw !== 'object') throw new ERR_FILTER_VALUE('filter', 'the filter must be an object or a list of groups')
  const dateOrder: PortalDateOrder = readPortalDateFormat(options.portalDateFormat)
  let resolve = options.resolveField
  if (resolve === undefined) {
    const byCode = new Map(fields.map((field) => [field.code, field]))
    resolve = (name) => byCode.get(name)
  }
  const context: Context = { resolve, coerce: { timeZone: options.timeZone, dateOrder } }
  const group = parseGroup('filter', raw, 1, context)
  if (group.items.length === 0) return undefined
  return group.items.length === 1 ? group.items[0] : group
}

function parseGroup (key: string, raw: object, depth: number, context: Context): FilterGroup {
  if (depth > MAX_FILTER_DEPTH) throw new ERR_FILTER_KEY(key, `groups nest deeper than ${MAX_FILTER_DEPTH} levels`)
  const logicValue = Array.isArray(raw) ? undefined : (raw as Record<string, unknown>).LOGIC
  const logic = logicValue === undefined ? 'AND' : parseLogic(logicValue)
  const items: FilterNode[] = []
  for (const [itemKey, value] of Object.entries(raw)) {
    if (itemKey === 'LOGIC') continue
    let item = parseItem(itemKey, value, depth, context)
    if (item.kind === 'group' && item.items.length === 1) item = item.items[0]!
    // A group inside a group of the same logic is the same as its items there.
    if (item.kind === 'group' && item.logic === logic) items.push(...item.items)
    else items.push(item)
  }
  return { kind: 'group', logic, items }
}

function parseLogic (value: unknown): 'AND' | 'OR' {
  const logic = typeof value === 'string' ? value.trim().toUpperCase() : undefined
  if (logic === 'AND' || logic === 'OR') return logic
  throw new ERR_FILTER_VALUE('LOGIC', "must be 'AND' or 'OR'")
}

function readKey (key: string): Key {
  const negated = key.startsWith('!')
  const rest = negated ? key.slice(1) : key
  for (const [prefix, op] of FILTER_KEY_PREFIXES) {
    if (!rest.startsWith(prefix) || (negated && prefix === '<>')) continue
    return { op, negated: negated || prefix === '<>', prefix: key.slice(0, key.length - rest.length + prefix.length), name: rest.slice(prefix.length) }
  }
  return { op: 'eq', negated, prefix: negated ? '!' : '', name: rest }
}

function parseItem (key: string, value: unknown, depth: number, context: Context): FilterNode {
  const read = readKey(key)
  const field = read.name === '' ? undefined : context.resolve(read.name)
  if (field !== undefined) return parseCondition(key, read, field, value, context)
  if (read.prefix === '' && isObject(value)) return parseGroup(key, value, depth + 1, context)
  if (NUMBERED.test(key)) throw new ERR_FILTER_KEY(key, 'a numbered item must hold a group of conditions')
  if (read.name === '') throw new ERR_FILTER_KEY(key, 'no field is named')
  if (OPERATOR_CHARS.test(read.name)) throw new ERR_FILTER_KEY(key, 'unknown operator')
  throw new ERR_FIELD_NOT_FOUND(read.name, 'filter')
}

/** One positive alternative before coercion: an operator and its raw values. */
interface Part {
  op: FilterOp
  values: unknown[]
}

// NOT of each positive alternative; an order comparison's complement is the opposite one or NULL.
const COMPLEMENT: Partial<Record<FilterOp, FilterOp>> = {
  eq: 'ne', in: 'notIn', isNull: 'notNull', between: 'notBetween', like: 'notLike', contains: 'notContains'
}
const OPPOSITE: Partial<Record<FilterOp, FilterOp>> = { gt: 'lte', gte: 'lt', lt: 'gte', lte: 'gt' }

// A date field compares as its midnight with a date-time value: which day such a value gives per operator.
const ROUND: Partial<Record<FilterOp, 'floor' | 'ceil'>> = { gt: 'floor', lte: 'floor', gte: 'ceil', lt: 'ceil' }

function parseCondition (key: string, read: Key, field: FieldInfo, value: unknown, context: Context): FilterNode {
  if ((read.op === 'like' || read.op === 'contains') && !isTextType(field.type)) {
    throw new ERR_FILTER_KEY(key, `the operator applies only to string fields, '${field.code}' is ${field.type}`)
  }
  const parts = positiveParts(key, read.op, field, value)
  const make = (op: FilterOp, values: unknown[]): FilterCondition =>
    ({ kind: 'condition', key, field: field.code, type: field.type, op, values: coerceAll(key, op, field, values, context) })
  if (!read.negated) {
    const alternatives = parts.map((part) => make(part.op, part.values))
    return alternatives.length === 1 ? alternatives[0]! : { kind: 'group', logic: 'OR', items: alternatives }
  }
  const negations = parts.map((part): FilterNode => {
    const complement = COMPLEMENT[part.op]
    if (complement !== undefined) return make(complement, part.values)
    return { kind: 'group', logic: 'OR', items: [make('isNull', []), make(OPPOSITE[part.op]!, part.values)] }
  })
  return negations.length === 1 ? negations[0]! : { kind: 'group', logic: 'AND', items: negations }
}

/** The alternatives any of which matches: one per value (one IN for `=`, one per pair for `><`), IS NULL for a null. */
function positiveParts (key: string, op: KeyOp, field: FieldInfo, value: unknown): Part[] {
  const list = listOf(value)
  if (list?.length === 0) throw new ERR_FILTER_VALUE(key, 'the list is empty')
  if (op === 'between') return betweenPairs(key, list).map((pair) => ({ op: 'between', values: pair }))
  const items = list ?? [value]
  if (op !== 'eq') return items.map((item) => ({ op, values: [item] }))
  const dated = field.type === 'date' || field.type === 'datetime'
  const isNullMarker = (item: unknown): boolean => item === false || (dated && (item === '0' || item === 0))
  const parts: Part[] = []
  if (value === null || items.some(isNullMarker)) parts.push({ op: 'isNull', values: [] })
  const values = value === null ? [] : items.filter((item) => !isNullMarker(item))
  if (values.length > 0) parts.push({ op: values.length === 1 ? 'eq' : 'in', values })
  return parts
}

function betweenPairs (key: string, list: unknown[] | undefined): unknown[][] {
  const pairs = list === undefined ? [] : list.every((item) => !isObject(item)) ? [list] : list.map((item) => listOf(item) ?? [item])
  if (pairs.length === 0 || pairs.some((pair) => pair.length !== 2)) {
    throw new ERR_FILTER_VALUE(key, 'between takes a list of exactly two values [from, to] (or a list of such pairs)')
  }
  return pairs
}

function coerceAll (key: string, op: FilterOp, field: FieldInfo, values: unknown[], context: Context): FilterValue[] {
  return values.map((item, index) => {
    if (item === null || item === undefined) throw new ERR_FILTER_VALUE(key, 'null is not allowed here')
    if (typeof item === 'object') throw new ERR_FILTER_VALUE(key, 'a list or object where one value is needed')
    const between = op === 'between' || op === 'notBetween'
    const round = between ? (index === 0 ? 'ceil' : 'floor') : ROUND[op]
    const coerced = coerceValue(key, field.type, item, round === undefined ? context.coerce : { ...context.coerce, round })
    return op === 'like' || op === 'notLike' ? checkLikePattern(key, coerced as string) : coerced
  })
}

function checkLikePattern (key: string, pattern: string): string {
  let backslashes = 0
  for (let index = pattern.length - 1; index >= 0 && pattern[index] === '\\'; index--) backslashes++
  if (backslashes % 2 === 1) throw new ERR_FILTER_VALUE(key, 'the LIKE pattern ends with the escape character \\')
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
