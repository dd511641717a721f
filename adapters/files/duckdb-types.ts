import type { FieldType } from '../../src/field-types.js'

/** How a DuckDB column is read: its portal type, and the SQL that hands the value over exactly. */
export interface DuckDbColumnReading {
  type: FieldType
  /** True for TIMESTAMPTZ: read as epoch milliseconds, shown in the configured zone. */
  zoned: boolean
  /** How the value is selected: as is, as text (exact decimals, dates, timestamps), or as epoch ms. */
  read: 'value' | 'text' | 'epoch_ms'
}

/** One rule of the DuckDB mapping: pattern over the upper-cased type name, the reading, the types in words, a note. */
export type DuckDbTypeRule = readonly [pattern: RegExp, reading: DuckDbColumnReading, types: string, note?: string]

/**
 * DuckDB column types to portal types; first match wins, anything else is a string read as text. Each rule names
 * its types in words: the README's table is generated from them (`mappingTable`).
 */
export const DUCKDB_TYPES: readonly DuckDbTypeRule[] = Object.freeze([
  [/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*)$/, { type: 'int', zoned: false, read: 'value' },
    'TINYINT … HUGEINT, unsigned', 'exact'],
  [/^BOOLEAN$/, { type: 'int', zoned: false, read: 'value' }, 'BOOLEAN', '1/0'],
  [/^DECIMAL/, { type: 'double', zoned: false, read: 'text' }, 'DECIMAL(p,s)', 'every digit'],
  [/^(FLOAT|DOUBLE|REAL)$/, { type: 'double', zoned: false, read: 'value' }, 'FLOAT, DOUBLE'],
  [/^DATE$/, { type: 'date', zoned: false, read: 'text' }, 'DATE'],
  [/^(TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ)$/, { type: 'datetime', zoned: true, read: 'epoch_ms' }, 'TIMESTAMP WITH TIME ZONE'],
  [/^(TIMESTAMP|DATETIME)/, { type: 'datetime', zoned: false, read: 'text' }, 'TIMESTAMP (any precision)', 'as stored'],
  [/^VARCHAR$/, { type: 'string', zoned: false, read: 'value' }, 'VARCHAR']
] as const)

/** What a type no rule matches becomes: a string, read as text. */
const OTHER_TYPE: DuckDbColumnReading = Object.freeze({ type: 'string', zoned: false, read: 'text' })

/**
 * Maps a DuckDB column type to the portal's type (see `DUCKDB_TYPES`).
 *
 * @example
 * duckDbReading('DECIMAL(18,2)') // { type: 'double', zoned: false, read: 'text' }
 */
export function duckDbReading (duckdbType: string): DuckDbColumnReading {
  const type = duckdbType.toUpperCase()
  return DUCKDB_TYPES.find(([pattern]) => pattern.test(type))?.[1] ?? OTHER_TYPE
}
