import { sql, type RawBuilder } from 'kysely'
import type { Logger } from '../../src/core/adapter.js'
import { suggestDatasetFieldName, type FieldInfo, type FieldType } from '../../src/core/field-types.js'
import type { SqlCatalog, SqlDriver, SqlQueryColumn } from './sql-driver.js'
import type { SqlEngineDefinition } from './sql-engine.js'
import { isExposed, type ResolvedSqlOptions } from './sql-options.js'
import { readingOf, UNKNOWN_TYPE, type SqlTypeReading } from './sql-types.js'

/** A column of an exposed table: the portal's field plus how the engine reads it. */
export interface SqlColumn {
  field: FieldInfo
  /** The column's name in the database. */
  column: string
  reading: SqlTypeReading
  /** False when the runtime, not the database, applies conditions on it (see `SqlAdapter.capabilities`). */
  pushdown: boolean
}

/** An exposed table or dataset. */
export interface SqlTable {
  code: string
  title: string
  /** The FROM item: a quoted table name or a parenthesised query. */
  from: RawBuilder<unknown>
  columns: SqlColumn[]
}

const NUMERIC: ReadonlySet<FieldType> = new Set(['int', 'double', 'money'])

function sameFamily (a: FieldType, b: FieldType): boolean {
  return a === b || (NUMERIC.has(a) && NUMERIC.has(b))
}

/** Per adapter (its options), the unknown column types already logged: each once, however often the catalog is read. */
const loggedUnknown = new WeakMap<ResolvedSqlOptions, Set<string>>()

function logUnknownOnce (options: ResolvedSqlOptions, log: Logger, table: string, column: string, dataType: string): void {
  let logged = loggedUnknown.get(options)
  if (logged === undefined) loggedUnknown.set(options, logged = new Set())
  const key = JSON.stringify([table, column, dataType])
  if (logged.has(key)) return
  logged.add(key)
  log.info({ table, column, dataType }, 'unknown column type read as a string')
}

/** Maps one column: engine type to reading, the configured override, and the field code. */
function mapColumn (
  engine: SqlEngineDefinition, options: ResolvedSqlOptions, tableCode: string, column: string, dataType: string, used: Set<string>, log: Logger
): SqlColumn {
  let reading = readingOf(engine.types, dataType)
  if (reading === undefined) {
    logUnknownOnce(options, log, tableCode, column, dataType)
    reading = UNKNOWN_TYPE
  }
  let code = options.fieldCodes === 'upper' ? suggestDatasetFieldName(column) : column
  if (used.has(code)) code = column
  used.add(code)
  const override = options.types[tableCode]?.[code] ?? options.types[tableCode]?.[column]
  let pushed = reading.pushdown !== false
  if (override !== undefined && override !== reading.type) {
    // A numeric column shown as money stays filtered in SQL; any other change is filtered by the runtime.
    if (!sameFamily(override, reading.type)) {
      reading = { type: override, read: 'text' }
      pushed = false
    } else {
      reading = { ...reading, type: override }
    }
  }
  const field: FieldInfo = { code, name: code, type: reading.type, ...(reading.zoned === true ? { zoned: true } : {}), ...(code !== column ? { source: column } : {}) }
  return { field, column, reading, pushdown: pushed }
}

/** Builds the exposed tables from the engine's catalog: exposure lists applied, codes and types mapped. */
export function tablesFromCatalog (
  engine: SqlEngineDefinition, options: ResolvedSqlOptions, catalog: SqlCatalog, log: Logger
): Map<string, SqlTable> {
  const defaultSchema = options.defaultSchema ?? catalog.defaultSchema
  const scoped = engine.scopeToDefaultSchema && options.exposure.schemas?.allow === undefined
  const tables = new Map<string, SqlTable>()
  const used = new Map<string, Set<string>>()
  for (const row of catalog.columns) {
    if (engine.systemSchemas.includes(row.schema) || !isExposed(options.exposure, row.schema, row.table)) continue
    if (scoped && row.schema !== defaultSchema) continue
    const code = row.schema === defaultSchema ? row.table : `${row.schema}.${row.table}`
    let table = tables.get(code)
    if (table === undefined) {
      table = { code, title: code, from: sql.id(row.schema, row.table), columns: [] }
      tables.set(code, table)
      used.set(code, new Set())
    }
    table.columns.push(mapColumn(engine, options, code, row.column, row.dataType, used.get(code)!, log))
  }
  return tables
}

/** Describes a dataset defined by a query. */
export async function datasetTable (
  engine: SqlEngineDefinition, options: ResolvedSqlOptions, driver: SqlDriver, name: string, log: Logger
): Promise<SqlTable | undefined> {
  const dataset = options.datasets.find((candidate) => candidate.name === name)
  if (dataset === undefined) return undefined
  const columns: SqlQueryColumn[] = await driver.describeQuery(dataset.sql)
  const used = new Set<string>()
  return {
    code: dataset.name,
    title: dataset.title ?? dataset.name,
    from: sql`(${sql.raw(dataset.sql)})`,
    columns: columns.map((column) => mapColumn(engine, options, dataset.name, column.column, column.dataType, used, log))
  }
}
