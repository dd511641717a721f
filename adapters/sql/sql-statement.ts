import { sql } from 'kysely'
import type { ReadPlan } from '../../src/core/adapter.js'
import { compileFilter } from './compile-filter.js'
import type { SqlTable } from './sql-catalog.js'
import type { SqlStatement } from './sql-driver.js'
import type { SqlEngineDefinition } from './sql-engine.js'
import type { SqlTypeReading } from './sql-types.js'

/**
 * The statement for one read: `SELECT <fields as c0..cN> FROM <source> WHERE <pushed filter> LIMIT <n>`.
 * The source is the table (or the dataset's query); when some column must be compared as another type
 * (a uuid as text, a boolean as int) it is a subquery exposing those columns cast, so filters see the portal's types.
 */
export function readStatement (engine: SqlEngineDefinition, table: SqlTable, plan: ReadPlan): SqlStatement {
  const byColumn = new Map(table.columns.map((column) => [column.column, column]))
  const cast = table.columns.some((column) => column.reading.as !== undefined)
  const source = cast
    ? sql`(SELECT ${sql.join(table.columns.map((column) => column.reading.as === undefined
        ? sql.id(column.column)
        : sql`${engine.castColumn(sql.id(column.column), column.reading.as)} AS ${sql.id(column.column)}`))} FROM ${table.from} AS ${sql.id('q')})`
    : table.from
  const selections = plan.fields.map((field, index) => {
    const column = byColumn.get(field.source ?? field.code)!
    const ref = sql.id(column.column)
    return (column.reading.read === undefined ? ref : engine.readColumn(ref, column.reading.read)).as(`c${index}`)
  })
  let query = engine.builder.selectFrom(sql`${source}`.as('source')).select(selections)
  if (plan.filter !== undefined) {
    query = query.where(compileFilter(plan.filter, engine, new Map(plan.tableFields.map((field) => [field.code, field]))))
  }
  if (plan.limit !== undefined) query = query.limit(plan.limit)
  const compiled = query.compile()
  return { sql: compiled.sql, parameters: compiled.parameters }
}

const HAS_ZONE = /\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i

/** How each of the plan's fields is read, in the statement's select order. */
export function planReadings (table: SqlTable, plan: ReadPlan): SqlTypeReading[] {
  const byColumn = new Map(table.columns.map((column) => [column.column, column]))
  return plan.fields.map((field) => byColumn.get(field.source ?? field.code)!.reading)
}

/** The positions of the plan's fields read as UTC wall times (`read: 'utc'`). */
export function utcPositions (table: SqlTable, plan: ReadPlan): number[] {
  const byColumn = new Map(table.columns.map((column) => [column.column, column]))
  return plan.fields.flatMap((field, index) => byColumn.get(field.source ?? field.code)?.reading.read === 'utc' ? [index] : [])
}

/** Marks UTC wall times as UTC (`2026-03-29 01:30:00` -> `2026-03-29 01:30:00Z`) so the formatter reads them as instants. */
export function markUtc (rows: unknown[][], positions: readonly number[]): void {
  if (positions.length === 0) return
  for (const row of rows) {
    for (const index of positions) {
      const value = row[index]
      if (typeof value === 'string' && value !== '' && !HAS_ZONE.test(value)) row[index] = `${value}Z`
    }
  }
}
