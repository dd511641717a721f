import type { FieldType } from '../../src/field-types.js'

/** How a DuckDB column is read: its portal type, and the SQL that hands the value over exactly. */
export interface DuckDbColumnReading {
  type: FieldType
  /** True for TIMESTAMPTZ: read as epoch milliseconds, shown in the configured zone. */
  zoned: boolean
  /** How the value is selected: as is, as text (exact decimals, dates, timestamps), or as epoch ms. */
  read: 'value' | 'text' | 'epoch_ms'
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*)$/
const FLOAT = /^(FLOAT|DOUBLE|REAL)$/

/**
 * Maps a DuckDB column type to the portal's type.
 * | DuckDB | portal |
 * | integers (TINYINT … HUGEINT, unsigned) | int (bigint, exact) |
 * | BOOLEAN | int (1/0) |
 * | DECIMAL(p,s) | double (read as text: every digit) |
 * | FLOAT, DOUBLE | double |
 * | DATE | date |
 * | TIMESTAMP (any precision) | datetime, as stored |
 * | TIMESTAMP WITH TIME ZONE | datetime, converted to the configured zone |
 * | anything else (VARCHAR, UUID, LIST, …) | string (as text) |
 */
export function duckDbReading (duckdbType: string): DuckDbColumnReading {
  const type = duckdbType.toUpperCase()
  if (INTEGER.test(type)) return { type: 'int', zoned: false, read: 'value' }
  if (type === 'BOOLEAN') return { type: 'int', zoned: false, read: 'value' }
  if (type.startsWith('DECIMAL')) return { type: 'double', zoned: false, read: 'text' }
  if (FLOAT.test(type)) return { type: 'double', zoned: false, read: 'value' }
  if (type === 'DATE') return { type: 'date', zoned: false, read: 'text' }
  if (type === 'TIMESTAMP WITH TIME ZONE' || type === 'TIMESTAMPTZ') return { type: 'datetime', zoned: true, read: 'epoch_ms' }
  if (type.startsWith('TIMESTAMP') || type === 'DATETIME') return { type: 'datetime', zoned: false, read: 'text' }
  if (type === 'VARCHAR') return { type: 'string', zoned: false, read: 'value' }
  return { type: 'string', zoned: false, read: 'text' }
}
