import type { FieldType } from '../../src/field-types.js'

/** How a column of one engine type is exposed to the portal. */
export interface SqlTypeReading {
  /** The portal type. */
  type: FieldType
  /** True for columns holding instants (`timestamptz`, MySQL `TIMESTAMP`, ClickHouse `DateTime`). */
  zoned?: boolean
  /**
   * How the source subquery exposes the column so that filters compare it as its portal type
   * (`text` for uuid/json/enum shown as strings, `int` for booleans, `decimal` for PostgreSQL `money`).
   * Default: as is.
   */
  as?: 'text' | 'int' | 'decimal'
  /** How it is selected for transfer: `text` exactly as the engine prints it, `utc` as a UTC wall time. Default: as is. */
  read?: 'text' | 'utc'
  /** False when the engine cannot compare the column exactly as the evaluator does: the runtime filters it. Default true. */
  pushdown?: boolean
}

/** One row of an engine's mapping table: the first rule whose pattern matches the lower-cased type name wins. */
export type SqlTypeRule = readonly [pattern: RegExp, reading: SqlTypeReading]

/** What an unknown type becomes: a string, read as text. */
export const UNKNOWN_TYPE: SqlTypeReading = Object.freeze({ type: 'string', as: 'text', read: 'text' })

/**
 * The reading of an engine type name, or undefined when no rule matches (the caller logs it and uses `UNKNOWN_TYPE`).
 *
 * @example
 * readingOf(POSTGRES_TYPES, 'numeric(38,10)') // { type: 'double' }
 */
export function readingOf (rules: readonly SqlTypeRule[], dataType: string): SqlTypeReading | undefined {
  const name = dataType.trim().toLowerCase()
  for (const [pattern, reading] of rules) if (pattern.test(name)) return reading
  return undefined
}

/** The mapping table as Markdown rows (`| engine type | portal type |`), for the README. */
export function mappingTable (rules: readonly SqlTypeRule[]): string {
  const lines = ['| engine type (pattern) | portal type |', '|---|---|']
  for (const [pattern, reading] of rules) {
    lines.push(`| \`${pattern.source}\` | ${reading.type}${reading.zoned === true ? ' (instant, shown in the configured zone)' : ''} |`)
  }
  lines.push('| anything else | string (logged once) |')
  return lines.join('\n')
}
