import type { SqlTypeRule } from '../sql/sql-types.js'

/**
 * ClickHouse types (without `Nullable(…)` / `LowCardinality(…)`) to portal types; first match wins.
 * Results come as JSONEachRow with 64-bit integers quoted; decimals and floats are selected with `toString`,
 * so every digit (and `inf`/`nan`) arrives as text.
 *
 * | ClickHouse | portal |
 * |---|---|
 * | Int8 … Int64, UInt8 … UInt32 | int (exact) |
 * | UInt64 | string (the portal reads an int as PHP's signed 64-bit: above 2^63-1 it would not arrive; compared as text) |
 * | Float32, Float64 | double (as text; inf/nan become null) |
 * | Decimal(P, S) | double (as text, exact; filtered by the runtime: ClickHouse 18 compares decimals as doubles) |
 * | Date | date |
 * | DateTime('Zone') | datetime, an instant shown in the configured zone |
 * | DateTime | datetime, the wall time in the server's zone, as stored |
 * | String, FixedString | string |
 * | Enum8, Enum16, UUID | string (compared as text) |
 * | Array, Tuple, Nested, … | string (text form) |
 */
export const CLICKHOUSE_TYPES: readonly SqlTypeRule[] = Object.freeze([
  [/^uint64$/, { type: 'string', as: 'text' }],
  [/^(u?int(8|16|32)|int64)$/, { type: 'int' }],
  [/^float(32|64)$/, { type: 'double', read: 'text' }],
  [/^decimal(32|64|128)?\(/, { type: 'double', read: 'text', pushdown: false }],
  [/^date$/, { type: 'date' }],
  [/^datetime\('[^']+'\)$/, { type: 'datetime', zoned: true, read: 'utc' }],
  [/^datetime$/, { type: 'datetime' }],
  [/^(string|fixedstring\(\d+\))$/, { type: 'string' }],
  [/^(enum(8|16)\(|uuid$)/, { type: 'string', as: 'text' }]
] as const)

/** The type inside `Nullable(…)` and `LowCardinality(…)`. */
export function unwrapClickhouseType (type: string): string {
  let inner = type.trim()
  for (let match = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(inner); match !== null; match = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(inner)) {
    inner = match[1]!
  }
  return inner
}
