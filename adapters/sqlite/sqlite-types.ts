import type { SqlTypeRule } from '../sql/sql-types.js'

/**
 * SQLite declared column types to portal types, following SQLite's own affinity rules; first match wins.
 * Integers arrive as bigints (`safeIntegers`), so 64-bit values keep every digit.
 *
 * | SQLite declared type | portal |
 * |---|---|
 * | DATE | date (text `YYYY-MM-DD`) |
 * | TIMESTAMPTZ, … WITH TIME ZONE | datetime, an instant: text `YYYY-MM-DD HH:MM:SS` in UTC, shown in the configured zone |
 * | DATETIME, TIMESTAMP | datetime, as stored |
 * | BOOLEAN | int |
 * | anything containing INT | int (exact, bigint) |
 * | containing CHAR, CLOB, TEXT | string |
 * | containing REAL, FLOA, DOUB | double |
 * | DECIMAL, NUMERIC | double, filtered by the runtime (SQLite stores them as doubles; for exact decimals store TEXT and declare the column `money` in `types`) |
 * | BLOB, none, anything else | string |
 */
export const SQLITE_TYPES: readonly SqlTypeRule[] = Object.freeze([
  [/^date$/, { type: 'date' }],
  [/(^timestamptz$|with time zone)/, { type: 'datetime', zoned: true, read: 'utc' }],
  [/^(datetime|timestamp)\b/, { type: 'datetime' }],
  [/^bool/, { type: 'int' }],
  [/int/, { type: 'int' }],
  [/(char|clob|text)/, { type: 'string' }],
  [/(real|floa|doub)/, { type: 'double' }],
  [/^(decimal|numeric)\b/, { type: 'double', pushdown: false }]
] as const)
