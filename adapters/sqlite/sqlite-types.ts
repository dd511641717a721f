import type { SqlTypeRule } from '../sql/sql-types.js'

/**
 * SQLite declared column types to portal types, following SQLite's own affinity rules; first match wins.
 * Integers arrive as bigints (`safeIntegers`), so 64-bit values keep every digit.
 * Each rule names its types in words: the table in docs/adapters.md is generated from them (`mappingTable`).
 */
export const SQLITE_TYPES: readonly SqlTypeRule[] = Object.freeze([
  [/^date$/, { type: 'date' }, 'DATE', 'text `YYYY-MM-DD`'],
  [/(^timestamptz$|with time zone)/, { type: 'datetime', zoned: true, read: 'utc' }, 'TIMESTAMPTZ, … WITH TIME ZONE', 'stored as UTC text'],
  [/^(datetime|timestamp)\b/, { type: 'datetime' }, 'DATETIME, TIMESTAMP', 'as stored'],
  [/^bool/, { type: 'int' }, 'BOOLEAN', '1/0'],
  [/int/, { type: 'int' }, 'anything containing INT', 'exact, bigint'],
  [/(char|clob|text)/, { type: 'string' }, 'containing CHAR, CLOB, TEXT'],
  [/(real|floa|doub)/, { type: 'double' }, 'containing REAL, FLOA, DOUB'],
  [/^(decimal|numeric)\b/, { type: 'double', pushdown: false }, 'DECIMAL, NUMERIC',
    'SQLite stores doubles; for exact decimals store TEXT and declare `money` in `types`']
] as const)
