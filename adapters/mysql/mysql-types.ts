import type { SqlTypeRule } from '../sql/sql-types.js'

/**
 * MySQL / MariaDB column types (`information_schema.COLUMNS.COLUMN_TYPE`) to portal types; first match wins.
 * The driver hands over BIGINT and DECIMAL as strings and dates as strings, so nothing loses a digit or shifts.
 * Each rule names its types in words: the table in docs/adapters.md is generated from them (`mappingTable`).
 */
export const MYSQL_TYPES: readonly SqlTypeRule[] = Object.freeze([
  [/^bigint\b.*\bunsigned\b/, { type: 'string', as: 'text' }, 'bigint unsigned', "the portal reads ints as PHP's signed 64-bit; compared as text"],
  [/^(tinyint|smallint|mediumint|int|integer|bigint)\b/, { type: 'int' }, 'tinyint … bigint (signed; unsigned up to int)', 'exact'],
  [/^year\b/, { type: 'int' }, 'year', 'exact'],
  [/^bit\b/, { type: 'int', as: 'int' }, 'bit'],
  [/^(decimal|numeric|dec|fixed)\b/, { type: 'double' }, 'decimal, numeric', 'every digit'],
  [/^(float|double|real)\b/, { type: 'double' }, 'float, double'],
  [/^date$/, { type: 'date' }, 'date'],
  [/^datetime\b/, { type: 'datetime' }, 'datetime', 'as stored'],
  [/^timestamp\b/, { type: 'datetime', zoned: true, read: 'utc' }, 'timestamp', 'session time_zone +00:00'],
  // MySQL compares a JSON column with a string as JSON: cast it, so a filter compares the text the answer shows.
  [/^json\b/, { type: 'string', as: 'text' }, 'json', 'the text as the server gives it, MariaDB as stored; filters compare that same text'],
  [/^(char|varchar|tinytext|text|mediumtext|longtext|enum|set)\b/, { type: 'string' }, 'char, varchar, text, enum, set'],
  [/^(time|binary|varbinary|tinyblob|blob|mediumblob|longblob|geometry|point|linestring|polygon|uuid|inet[46])\b/, { type: 'string', as: 'text', read: 'text' },
    'time, binary, blob, geometry, uuid, inet', 'text form']
] as const)

/** mysql2's column type codes to type names, for datasets defined by a query. */
export const MYSQL_TYPE_CODES: Readonly<Record<number, string>> = Object.freeze({
  0: 'decimal',
  1: 'tinyint',
  2: 'smallint',
  3: 'int',
  4: 'float',
  5: 'double',
  7: 'timestamp',
  8: 'bigint',
  9: 'mediumint',
  10: 'date',
  11: 'time',
  12: 'datetime',
  13: 'year',
  14: 'date',
  15: 'varchar',
  16: 'bit',
  245: 'json',
  246: 'decimal',
  247: 'enum',
  248: 'set',
  249: 'tinyblob',
  250: 'mediumblob',
  251: 'longblob',
  252: 'blob',
  253: 'varchar',
  254: 'char',
  255: 'geometry'
})
