import { ERR_FIELD_NOT_FOUND } from '../core/errors.js'
import type { TimeZone } from '../core/time-zone.js'
import type { FilterCondition, FilterNode } from '../core/filter-ast.js'
import { type Comparator, comparator, membership, toText } from './compare.js'
import { likeMatcher } from './like.js'

/** A compiled filter: true when the row passes. */
export type RowPredicate = (row: readonly unknown[]) => boolean

/** Options of {@link compilePredicate}. */
export interface CompilePredicateOptions {
  /** The zone a `Date` row value of a `date` field is read in. Default: UTC. */
  timeZone?: TimeZone
}

type Test = (value: unknown) => boolean

/**
 * Compiles a filter tree into a row predicate with the SQL semantics every SQL adapter compiles to:
 * a comparison with NULL is false, and every negated operator (`ne`, `notIn`, `notBetween`, `notLike`,
 * `notContains`) is NOT of its positive form, hence TRUE for NULL. Filter values are prepared once here;
 * a row costs one comparison per condition. `indexOf` maps a field code to its position in the row.
 *
 * @example
 * const keep = compilePredicate(node, (code) => fields.findIndex((field) => field.code === code))
 * rows.filter(keep)
 */
export function compilePredicate (node: FilterNode, indexOf: (field: string) => number, options: CompilePredicateOptions = {}): RowPredicate {
  if (node.kind === 'condition') {
    const index = indexOf(node.field)
    if (index < 0) throw new ERR_FIELD_NOT_FOUND(node.field, 'the rows')
    const test = compileCondition(node, options)
    return (row) => test(row[index])
  }
  const items = node.items.map((item) => compilePredicate(item, indexOf, options))
  if (items.length === 0) return () => node.logic === 'AND'
  if (items.length === 1) return items[0]!
  if (items.length === 2) {
    const [a, b] = items as [RowPredicate, RowPredicate]
    return node.logic === 'AND' ? (row) => a(row) && b(row) : (row) => a(row) || b(row)
  }
  return node.logic === 'AND' ? (row) => items.every((item) => item(row)) : (row) => items.some((item) => item(row))
}

function compileCondition (condition: FilterCondition, options: CompilePredicateOptions): Test {
  const isNull = (value: unknown): boolean => value === null || value === undefined
  switch (condition.op) {
    case 'isNull': return isNull
    case 'notNull': return (value) => !isNull(value)
    case 'ne': case 'notIn': case 'notBetween': case 'notLike': case 'notContains': {
      const positive = compilePositive(condition, options)
      return (value) => !positive(value)
    }
    default: return compilePositive(condition, options)
  }
}

function compilePositive (condition: FilterCondition, options: CompilePredicateOptions): Test {
  // IN tests membership in a set; only the first two values (a bound or a range) need comparators.
  const compare = condition.values.slice(0, 2).map((value) => comparator(condition.type, value, options.timeZone))
  const [first, second] = compare as [Comparator, Comparator]
  const holds = (check: (order: number) => boolean): Test => (value) => {
    const order = first(value)
    return order !== undefined && check(order)
  }
  switch (condition.op) {
    case 'eq': case 'ne': return holds((order) => order === 0)
    case 'gt': return holds((order) => order > 0)
    case 'gte': return holds((order) => order >= 0)
    case 'lt': return holds((order) => order < 0)
    case 'lte': return holds((order) => order <= 0)
    case 'between': case 'notBetween': return (value) => (first(value) ?? -1) >= 0 && (second(value) ?? 1) <= 0
    case 'in': case 'notIn': return compileIn(condition, options)
    case 'like': case 'notLike': return compileLike(condition.values[0] as string)
    case 'contains': case 'notContains': return compileContains(condition.values[0] as string)
    case 'isNull': return (value) => value === null || value === undefined
    case 'notNull': return (value) => value !== null && value !== undefined
  }
}

function compileIn (condition: FilterCondition, options: CompilePredicateOptions): Test {
  const isMember = membership(condition.type, condition.values, options.timeZone)
  return (value) => value !== null && value !== undefined && isMember(value)
}

function compileLike (pattern: string): Test {
  const match = likeMatcher(pattern)
  return (value) => value !== null && value !== undefined && match(toText(value))
}

function compileContains (needle: string): Test {
  const lower = needle.toLowerCase()
  return (value) => value !== null && value !== undefined && toText(value).toLowerCase().includes(lower)
}
