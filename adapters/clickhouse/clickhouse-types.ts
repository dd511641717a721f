import type { SqlTypeRule } from '../sql/sql-types.js'

/**
 * ClickHouse types (without `Nullable(…)` / `LowCardinality(…)`) to portal types; first match wins.
 * Results come as JSONEachRow with 64-bit integers quoted; decimals and floats are selected with `toString`,
 * so every digit (and `inf`/`nan`) arrives as text.
 * Each rule names its types in words: the table in docs/adapters.md is generated from them (`mappingTable`).
 */
export const CLICKHOUSE_TYPES: readonly SqlTypeRule[] = Object.freeze([
  [/^uint64$/, { type: 'string', as: 'text' }, 'UInt64', "the portal reads ints as PHP's signed 64-bit; compared as text"],
  [/^(u?int(8|16|32)|int64)$/, { type: 'int' }, 'Int8 … Int64, UInt8 … UInt32', 'exact'],
  [/^float(32|64)$/, { type: 'double', read: 'text' }, 'Float32, Float64', 'inf/nan become null'],
  [/^decimal(32|64|128)?\(/, { type: 'double', read: 'text', pushdown: false }, 'Decimal(P, S)', 'every digit; ClickHouse 18 compares decimals as doubles'],
  [/^date$/, { type: 'date' }, 'Date'],
  [/^datetime\('[^']+'\)$/, { type: 'datetime', zoned: true, read: 'utc' }, "DateTime('Zone')"],
  [/^datetime$/, { type: 'datetime' }, 'DateTime', "the server zone's wall time, as stored"],
  [/^(string|fixedstring\(\d+\))$/, { type: 'string' }, 'String, FixedString'],
  [/^(enum(8|16)\(|uuid$)/, { type: 'string', as: 'text' }, 'Enum8, Enum16, UUID', 'compared as text']
] as const)

/** The type inside `Nullable(…)` and `LowCardinality(…)`. */
export function unwrapClickhouseType (type: string): string {
  let inner = type.trim()
  for (let match = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(inner); match !== null; match = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(inner)) {
    inner = match[1]!
  }
  return inner
}
