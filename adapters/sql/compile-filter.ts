import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely'
import { ERR_FIELD_NOT_FOUND } from '../../src/errors.js'
import { isTextType, type FieldInfo } from '../../src/field-types.js'
import type { DateTimeValue, FilterCondition, FilterNode, FilterValue } from '../../src/filter/ast.js'
import type { SqlEngine } from './sql-dialect.js'

type Sql = RawBuilder<unknown>

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const MAX_DECIMAL_DIGITS = 38

/**
 * Compiles a filter tree to a WHERE expression for one engine, with the in-memory evaluator's semantics:
 * a comparison with NULL is false, a negated operator is `(col IS NULL OR NOT (positive))`, strings compare
 * by code point and LIKE is case-sensitive, contains folds case. Every value is a bound parameter; columns are
 * `sql.id(field.source ?? field.code)` of fields from the table description, never text from the request.
 *
 * @example
 * queryBuilder('duckdb').selectFrom('deals').selectAll().where(compileFilter(node, 'duckdb', fieldsByCode))
 */
export function compileFilter (node: FilterNode, engine: SqlEngine, fields: ReadonlyMap<string, FieldInfo>): Expression<SqlBool> {
  return compileNode(node, engine, fields) as RawBuilder<SqlBool>
}

function compileNode (node: FilterNode, engine: SqlEngine, fields: ReadonlyMap<string, FieldInfo>): Sql {
  if (node.kind === 'condition') return compileCondition(node, engine, fields)
  if (node.items.length === 0) return node.logic === 'AND' ? sql`1 = 1` : sql`1 = 0`
  const items = node.items.map((item) => compileNode(item, engine, fields))
  return sql`(${sql.join(items, node.logic === 'AND' ? sql` AND ` : sql` OR `)})`
}

function compileCondition (condition: FilterCondition, engine: SqlEngine, fields: ReadonlyMap<string, FieldInfo>): Sql {
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

function compilePositive (condition: FilterCondition, engine: SqlEngine, field: FieldInfo, column: Sql): Sql {
  const values = condition.values.map((value) => parameter(value, engine, field))
  const [first, second] = values as [Sql, Sql]
  const text = isTextType(field.type)
  switch (condition.op) {
    case 'eq': return sql`${binaryEquality(column, engine, text)} = ${first}`
    case 'in': return sql`${binaryEquality(column, engine, text)} IN (${sql.join(values)})`
    case 'gt': return sql`${binaryOrder(column, engine, text)} > ${first}`
    case 'gte': return sql`${binaryOrder(column, engine, text)} >= ${first}`
    case 'lt': return sql`${binaryOrder(column, engine, text)} < ${first}`
    case 'lte': return sql`${binaryOrder(column, engine, text)} <= ${first}`
    case 'between': return sql`${binaryOrder(column, engine, text)} BETWEEN ${first} AND ${second}`
    case 'like': return compileLike(column, condition.values[0] as string, engine)
    case 'contains': return compileContains(column, (condition.values[0] as string).toLowerCase(), engine)
    default: return sql`1 = 0`
  }
}

// MySQL's default collations are case- and accent-insensitive and pad spaces: compare the UTF-8 bytes.
function binaryEquality (column: Sql, engine: SqlEngine, text: boolean): Sql {
  return text && engine === 'mysql' ? sql`CAST(CONVERT(${column} USING utf8mb4) AS BINARY)` : column
}

// PostgreSQL orders text by the database locale: "C" orders by code point, as the evaluator does.
function binaryOrder (column: Sql, engine: SqlEngine, text: boolean): Sql {
  if (text && engine === 'postgres') return sql`${column} COLLATE "C"`
  return binaryEquality(column, engine, text)
}

function compileLike (column: Sql, pattern: string, engine: SqlEngine): Sql {
  switch (engine) {
    case 'postgres': return sql`${column} COLLATE "C" LIKE ${pattern} ESCAPE '\\'`
    case 'duckdb': return sql`${column} LIKE ${pattern} ESCAPE '\\'`
    // MySQL's LIKE escapes with a backslash by default; utf8mb4_bin makes it case-sensitive, `_` one character.
    case 'mysql': return sql`CONVERT(${column} USING utf8mb4) LIKE (${pattern} COLLATE utf8mb4_bin)`
    // SQLite's LIKE ignores ASCII case; GLOB is case-sensitive.
    case 'sqlite': return sql`${column} GLOB ${likeToGlob(pattern)}`
    case 'clickhouse': return sql`${column} LIKE ${pattern}`
  }
}

/** A LIKE pattern (`%`, `_`, `\` escapes) as the equivalent SQLite GLOB pattern (`*`, `?`, `[x]` literals). */
export function likeToGlob (pattern: string): string {
  let glob = ''
  for (let index = 0; index < pattern.length; index++) {
    let char = pattern[index]!
    const escaped = char === '\\' && index + 1 < pattern.length
    if (escaped) char = pattern[++index]!
    if (!escaped && char === '%') glob += '*'
    else if (!escaped && char === '_') glob += '?'
    else glob += char === '*' || char === '?' || char === '[' ? `[${char}]` : char
  }
  return glob
}

// The needle is already lower-cased; substring search needs no LIKE escaping.
function compileContains (column: Sql, needle: string, engine: SqlEngine): Sql {
  switch (engine) {
    case 'postgres':
    case 'duckdb': return sql`strpos(lower(${column}), ${needle}) > 0`
    case 'mysql': return sql`INSTR(CAST(LOWER(CONVERT(${column} USING utf8mb4)) AS BINARY), CAST(${needle} AS BINARY)) > 0`
    case 'sqlite': return sql`instr(lower(${column}), ${needle}) > 0`
    case 'clickhouse': return sql`position(lowerUTF8(${column}), ${needle}) > 0`
  }
}

function parameter (value: FilterValue, engine: SqlEngine, field: FieldInfo): Sql {
  switch (field.type) {
    case 'string':
    case 'timezone': return sql.val(value)
    case 'int': return intParameter(value as string, engine)
    case 'double': return sql.val(Number(value))
    case 'money': return decimalParameter(value as string, engine)
    case 'date': return dateParameter(value as string, engine)
    case 'datetime': return dateTimeParameter(value as DateTimeValue, engine, field.zoned === true)
  }
}

function intParameter (value: string, engine: SqlEngine): Sql {
  const big = BigInt(value)
  if (big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)) return sql.val(Number(value))
  if (big >= INT64_MIN && big <= INT64_MAX) return sql.val(big)
  return decimalParameter(value, engine)
}

// Exact where the engine has a 38-digit decimal; a double otherwise (SQLite, ClickHouse 18's Decimal is experimental).
function decimalParameter (value: string, engine: SqlEngine): Sql {
  const [whole = '', fraction = ''] = value.replace('-', '').split('.')
  const exact = whole.replace(/^0+/, '').length + fraction.length <= MAX_DECIMAL_DIGITS
  if (!exact || engine === 'sqlite' || engine === 'clickhouse') return sql.val(Number(value))
  return sql`CAST(${value} AS DECIMAL(${sql.raw(String(MAX_DECIMAL_DIGITS))}, ${sql.raw(String(fraction.length))}))`
}

function dateParameter (value: string, engine: SqlEngine): Sql {
  if (engine === 'sqlite') return sql.val(value)
  if (engine === 'clickhouse') return sql`toDate(${value})`
  return sql`CAST(${value} AS DATE)`
}

// A zoned column holds instants: compare with the instant (as UTC); a naive one with the wall time as typed.
function dateTimeParameter (value: DateTimeValue, engine: SqlEngine, zoned: boolean): Sql {
  const utc = value.instant.toISOString()
  const utcWall = `${utc.slice(0, 10)} ${utc.slice(11, 19)}`
  switch (engine) {
    case 'postgres':
    case 'duckdb': return zoned ? sql`CAST(${utc} AS TIMESTAMPTZ)` : sql`CAST(${value.wall} AS TIMESTAMP)`
    case 'mysql': return sql`CAST(${zoned ? utcWall : value.wall} AS DATETIME)`
    case 'sqlite': return sql.val(zoned ? utcWall : value.wall)
    case 'clickhouse': return zoned ? sql`toDateTime(${utcWall}, 'UTC')` : sql`toDateTime(${value.wall})`
  }
}
