import type { FieldType } from './field-types.js'

/** Comparison operators of the query model. Negations are true for NULL (they mean NOT of the positive form). */
export const FILTER_OPS = [
  'eq', 'ne', 'in', 'notIn', 'isNull', 'notNull',
  'gt', 'gte', 'lt', 'lte',
  'between', 'notBetween',
  'like', 'notLike', 'contains', 'notContains'
] as const

/** One comparison operator. */
export type FilterOp = typeof FILTER_OPS[number]

/**
 * A filter value after coercion to the field's type:
 * - `int`, `double`, `money`: a canonical decimal string (`-12`, `2500.5`), exact, never a JS double
 * - `string`: the string itself
 * - `date`: `YYYY-MM-DD`
 * - `datetime`: `{ wall: 'YYYY-MM-DD HH:MM:SS', instant: Date }`: the wall time in the configured zone,
 *   and the instant it means there (for zone-aware columns)
 */
export type FilterValue = string | DateTimeValue

/** A datetime filter value, see {@link FilterValue}. */
export interface DateTimeValue {
  wall: string
  instant: Date
}

/** One condition on one field. */
export interface FilterCondition {
  kind: 'condition'
  /** The portal's key, for error messages and logs (`>=DATE_CREATE`). */
  key: string
  /** The field code as the portal sees it. */
  field: string
  /** The field's type (from the table description). */
  type: FieldType
  op: FilterOp
  /** One value for eq/ne/gt/gte/lt/lte/like/notLike/contains/notContains; a list for in/notIn; two for between/notBetween; none for isNull/notNull. */
  values: FilterValue[]
}

/** A group of nodes joined by AND or OR. An empty AND is true, an empty OR is false. */
export interface FilterGroup {
  kind: 'group'
  logic: 'AND' | 'OR'
  items: FilterNode[]
}

/** A node of the filter tree. */
export type FilterNode = FilterCondition | FilterGroup
