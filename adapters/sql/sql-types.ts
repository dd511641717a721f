import type { FieldType } from '../../src/core/field-types.js'

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

/**
 * One row of an engine's mapping table: the first rule whose pattern matches the lower-cased type name wins.
 * `types` names the engine types it covers and `note` says how their values travel, in words: with the reading
 * they make the type table in docs/adapters.md (`mappingTable`), so the documented portal type is the one the code maps to.
 * Optional for an engine of your own (its table then shows the pattern); every built-in rule has them.
 */
export type SqlTypeRule = readonly [pattern: RegExp, reading: SqlTypeReading, types?: string, note?: string]

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

/** A documented type rule of any engine: a pattern, what it maps to, the engine types in words, a note. */
export type DocumentedTypeRule = readonly [pattern: RegExp, reading: { type: FieldType, zoned?: boolean, pushdown?: boolean }, types?: string, note?: string]

/** The portal column of a mapping table row: the type, then the note and what the reading implies. */
function portalText (reading: DocumentedTypeRule[1], note: string | undefined): string {
  const notes = [
    ...(note === undefined ? [] : [note]),
    ...(reading.zoned === true ? ['an instant, shown in the configured zone'] : []),
    ...(reading.pushdown === false ? ['filtered by the runtime'] : [])
  ]
  return notes.length === 0 ? reading.type : `${reading.type} (${notes.join('; ')})`
}

/**
 * An engine's mapping table as Markdown, one row per rule in matching order, then the fallback row: docs/adapters.md's
 * type tables are this output (`npm run docs` writes them, a test keeps them equal).
 *
 * @example
 * mappingTable('PostgreSQL', POSTGRES_TYPES) // '| PostgreSQL | portal |\n|---|---|\n| arrays (`integer[]`, …) | string (text form) |\n…'
 */
export function mappingTable (engine: string, rules: readonly DocumentedTypeRule[], otherwise: readonly [types: string, note: string] = ['anything else', 'text form; logged once']): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|')
  const lines = [`| ${engine} | portal |`, '|---|---|']
  for (const [pattern, reading, types, note] of rules) lines.push(`| ${cell(types ?? `\`/${pattern.source}/\``)} | ${cell(portalText(reading, note))} |`)
  lines.push(`| ${cell(otherwise[0])} | ${cell(portalText(UNKNOWN_TYPE, otherwise[1]))} |`)
  return lines.join('\n')
}
