import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely'
import { ERR_FIELD_NOT_FOUND } from '../../src/core/errors.js'
import { isTextType, type FieldInfo } from '../../src/core/field-types.js'
import type { DateTimeValue, FilterCondition, FilterNode, FilterValue } from '../../src/core/filter-ast.js'
import { filterSyntax, MAX_DECIMAL_DIGITS, type FilterSyntax, type SqlFilterSyntax } from './sql-engine.js'

type Sql = RawBuilder<unknown>

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * Compiles a filter tree to a WHERE expression for one engine, with the in-memory evaluator's semantics:
 * a comparison with NULL is false, a negated operator is `(col IS NULL OR NOT (positive))`, strings compare
 * by code point and LIKE is case-sensitive, contains folds case. Every value is a bound parameter; columns are
 * `sql.id(field.source ?? field.code)` of fields from the table description, never text from the request.
 * What differs between engines is the engine's `SqlFilterSyntax` (standard SQL where it has no method).
 *
 * @example
 * postgresEngine.builder.selectFrom('deals').selectAll().where(compileFilter(node, postgresEngine, fieldsByCode))
 */
export function compileFilter (node: FilterNode, engine: SqlFilterSyntax, fields: ReadonlyMap<string, FieldInfo>): Expression<SqlBool> {
  return compileNode(node, filterSyntax(engine), fields) as RawBuilder<SqlBool>
}

function compileNode (node: FilterNode, engine: FilterSyntax, fields: ReadonlyMap<string, FieldInfo>): Sql {
  if (node.kind === 'condition') return compileCondition(node, engine, fields)
  if (node.items.length === 0) return node.logic === 'AND' ? sql`1 = 1` : sql`1 = 0`
  const items = node.items.map((item) => compileNode(item, engine, fields))
  return sql`(${sql.join(items, node.logic === 'AND' ? sql` AND ` : sql` OR `)})`
}

function compileCondition (condition: FilterCondition, engine: FilterSyntax, fields: ReadonlyMap<string, FieldInfo>): Sql {
  const field = fields.get(condition.field)
  if (field === undefined) throw new ERR_FIELD_NOT_FOUND(condition.field, 'the table')
  const column = sql.id(field.source ?? field.code)
  const negated = negation(condition.op)
  if (condition.op === 'isNull') return sql`${column} IS NULL`
  if (condition.op === 'notNull') return sql`${column} IS NOT NULL`
  const positive = compilePositive({ ...condition, op: negated ?? condition.op }, engine, field, column)
  return negated === undefined ? positive : sql`(${column} IS NULL OR NOT (${positive}))`
}

function negation (op: FilterCondition['op']): FilterCondition['op'] | undefined {
  switch (op) {
    case 'ne': return 'eq'
    case 'notIn': return 'in'
    case 'notBetween': return 'between'
    case 'notLike': return 'like'
    case 'notContains': return 'contains'
    default: return undefined
  }
}

function compilePositive (condition: FilterCondition, engine: FilterSyntax, field: FieldInfo, column: Sql): Sql {
  const values = condition.values.map((value) => parameter(value, engine, field))
  const [first, second] = values as [Sql, Sql]
  const text = isTextType(field.type)
  const equality = text ? engine.textEquality(column) : column
  const order = text ? engine.textOrder(column) : column
  switch (condition.op) {
    case 'eq': return sql`${equality} = ${first}`
    case 'in': return engine.in(equality, values, { type: field.type, zoned: field.zoned === true, values: condition.values })
    case 'gt': return sql`${order} > ${first}`
    case 'gte': return sql`${order} >= ${first}`
    case 'lt': return sql`${order} < ${first}`
    case 'lte': return sql`${order} <= ${first}`
    case 'between': return sql`${order} BETWEEN ${first} AND ${second}`
    case 'like': return engine.like(column, condition.values[0] as string)
    // The needle is lower-cased here; substring search needs no LIKE escaping.
    case 'contains': return engine.contains(column, (condition.values[0] as string).toLowerCase())
    default: return sql`1 = 0`
  }
}

function parameter (value: FilterValue, engine: FilterSyntax, field: FieldInfo): Sql {
  switch (field.type) {
    case 'string':
    case 'timezone': return sql.val(value)
    case 'int': return intParameter(value as string, engine)
    case 'double': return engine.double(Number(value))
    case 'money': return decimalParameter(value as string, engine)
    case 'date': return engine.date(value as string)
    // A zoned column holds instants: compare with the instant; a naive one with the wall time as typed.
    case 'datetime': return engine.dateTime(value as DateTimeValue, field.zoned === true)
  }
}

function intParameter (value: string, engine: FilterSyntax): Sql {
  const big = BigInt(value)
  if (big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)) return sql.val(Number(value))
  if (big >= INT64_MIN && big <= INT64_MAX) return sql.val(big)
  return decimalParameter(value, engine)
}

// Exact up to 38 digits (the engine's `decimal` decides how); a longer value is compared as a double.
function decimalParameter (value: string, engine: FilterSyntax): Sql {
  const [whole = '', fraction = ''] = value.replace('-', '').split('.')
  const exact = whole.replace(/^0+/, '').length + fraction.length <= MAX_DECIMAL_DIGITS
  return exact ? engine.decimal(value, fraction.length) : engine.double(Number(value))
}
