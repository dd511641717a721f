import { ERR_TABLES_SYNC } from '../core/errors.js'
import { bitrixTranslit, proposedFieldName } from '../protocol/field-names.js'
import { suggestDatasetFieldName } from '../core/field-types.js'
import type { CatalogField, ConnectorCatalog } from './connector-catalog.js'
import type { RestClient } from './rest-client.js'

/** The column types `biconnector.table.add` accepts (case-sensitive). */
export const PORTAL_COLUMN_TYPES: readonly string[] = ['int', 'string', 'double', 'date', 'datetime', 'money', 'timezone']

/** A table of a source as `biconnector.table.list` answers it. */
export interface PortalTable {
  id: number
  sourceId: number
  name: string
  externalCode: string
  externalName: string
  [field: string]: unknown
}

/** A column as `biconnector.table.get` answers it. */
export interface PortalColumn {
  id: number
  name: string
  externalCode: string
  type: string
  visible: boolean
}

/** What `syncTables` did to one table. */
export interface TableSyncReport {
  /** The connector's table code (the portal table's `externalCode`). */
  code: string
  /** The portal table's name. */
  name: string
  id: number
  action: 'added' | 'updated' | 'unchanged'
  /** Columns added (codes). */
  added: string[]
  /** Columns hidden because the connector no longer has them (codes); shown again when they come back. */
  hidden: string[]
  /** Hidden columns shown again (codes). */
  shown: string[]
  /** Things the portal cannot change (a column's type is set once): said, never done silently. */
  warnings: string[]
}

/** Options of `syncTables`; defaults in the comments. */
export interface TableSyncOptions {
  /** Prepended to every new portal table name (names are unique in the whole portal). Default none. */
  prefix?: string
  /** Only these table codes. Default every table the connector lists. */
  only?: readonly string[]
  /** Called as each table is done (a later failure leaves the earlier reports said). Default none. */
  onTable?: (report: TableSyncReport) => void
}

/**
 * The portal table name for a connector table code: transliterated as the portal does (`bitrixTranslit`), lower
 * case `a-z0-9_`, a letter first, at most 230 characters, `prefix` first.
 *
 * @example
 * portalTableName('Sales Orders', 'wh_') // 'wh_sales_orders'
 * portalTableName('Сделки') // 'sdelki'
 */
export function portalTableName (code: string, prefix = ''): string {
  let name = (prefix + bitrixTranslit(code, 230)).toLowerCase().replace(/[^a-z0-9_]/g, '_')
  if (!/^[a-z]/.test(name)) name = `t_${name}`
  return name.slice(0, 230)
}

/**
 * The columns of `table.add` for `fields`: the name the portal proposes for the code (`proposedFieldName`, so the
 * connector resolves it even without `mapFields`; a letter-first fallback when nothing is left; `_2`, `_3` on a
 * clash), the code as `externalCode`, the type.
 */
export function portalColumns (table: string, fields: readonly CatalogField[]): Array<{ name: string, externalCode: string, type: string }> {
  if (fields.length === 0) throw new ERR_TABLES_SYNC(`the connector describes table '${table}' with no fields`)
  const taken = new Set<string>()
  return fields.map((field) => {
    const type = field.type.toLowerCase()
    if (!PORTAL_COLUMN_TYPES.includes(type)) throw new ERR_TABLES_SYNC(`field '${field.code}' of '${table}' has the type '${field.type}' the portal does not know`)
    const base = proposedFieldName(field.code) ?? suggestDatasetFieldName(field.code)
    let name = base
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 32 - String(n).length - 1)}_${n}`
    taken.add(name)
    return { name, externalCode: field.code, type }
  })
}

/** The portal tables of `sourceId` (every page of `biconnector.table.list`), or of every source. */
export async function listPortalTables (client: RestClient, sourceId?: number): Promise<PortalTable[]> {
  const items = await client.list<Record<string, unknown>>('biconnector.table.list', sourceId === undefined ? {} : { filter: { sourceId } })
  return items.map((item) => ({
    ...item,
    id: Number(item.id),
    sourceId: Number(item.sourceId),
    name: String(item.name ?? ''),
    externalCode: String(item.externalCode ?? ''),
    externalName: String(item.externalName ?? '')
  }))
}

async function columnsOf (client: RestClient, id: number): Promise<PortalColumn[]> {
  const answer = await client.call<{ item?: { fields?: Array<Record<string, unknown>> } }>('biconnector.table.get', { id })
  return (answer?.item?.fields ?? []).map((column) => ({
    id: Number(column.id),
    name: String(column.name ?? ''),
    externalCode: String(column.externalCode ?? ''),
    type: String(column.type ?? ''),
    visible: column.visible !== false
  }))
}

async function updateTable (client: RestClient, table: PortalTable, desired: ReturnType<typeof portalColumns>, report: TableSyncReport): Promise<void> {
  const columns = await columnsOf(client, table.id)
  const byCode = new Map(columns.map((column) => [column.externalCode, column]))
  const names = new Set(columns.map((column) => column.name))
  const add: typeof desired = []
  const update: Array<{ id: number, visible: boolean }> = []
  for (const column of desired) {
    const existing = byCode.get(column.externalCode)
    if (existing === undefined) {
      let name = column.name
      for (let n = 2; names.has(name); n++) name = `${column.name.slice(0, 32 - String(n).length - 1)}_${n}`
      names.add(name)
      add.push({ ...column, name })
      continue
    }
    if (!existing.visible) {
      update.push({ id: existing.id, visible: true })
      report.shown.push(column.externalCode)
    }
    if (existing.type !== column.type) {
      report.warnings.push(`column ${existing.name} (${column.externalCode}) is ${existing.type} in the portal and ${column.type} in the connector; ` +
        'the portal cannot change a column type: delete the column in the portal and sync again')
    }
  }
  const wanted = new Set(desired.map((column) => column.externalCode))
  for (const column of columns) {
    if (column.visible && !wanted.has(column.externalCode)) {
      update.push({ id: column.id, visible: false })
      report.hidden.push(column.externalCode)
    }
  }
  report.added = add.map((column) => column.externalCode)
  if (add.length === 0 && update.length === 0) return
  await client.call('biconnector.table.fields.update', { id: table.id, ...(add.length > 0 ? { add } : {}), ...(update.length > 0 ? { update } : {}) })
  report.action = 'updated'
}

/**
 * Creates or updates the portal's tables of source `sourceId` (`biconnector.table.*`) for the connector's tables:
 * a table is matched by its `externalCode` (the connector's table code); a missing one is added with every field
 * as a column; an existing one gets the missing columns, hides columns the connector no longer has (and shows them
 * again when they return). Idempotent: a second run changes nothing and reports every table `unchanged`.
 */
export async function syncTables (client: RestClient, sourceId: number, catalog: ConnectorCatalog, options: TableSyncOptions = {}): Promise<TableSyncReport[]> {
  const listed = await catalog.tables()
  const only = options.only === undefined ? undefined : new Set(options.only)
  const unknown = [...only ?? []].filter((code) => !listed.some((table) => table.code === code))
  if (unknown.length > 0) throw new ERR_TABLES_SYNC(`the connector lists no table ${unknown.map((code) => `'${code}'`).join(', ')}`)
  const existing = new Map((await listPortalTables(client, sourceId)).filter((table) => table.sourceId === sourceId).map((table) => [table.externalCode, table]))
  const reports: TableSyncReport[] = []
  for (const { code, title } of listed) {
    if (only !== undefined && !only.has(code)) continue
    if (code.length > 512) throw new ERR_TABLES_SYNC(`the table code '${code.slice(0, 40)}...' is longer than the 512 characters the portal keeps`)
    const desired = portalColumns(code, await catalog.describe(code))
    const table = existing.get(code)
    const report: TableSyncReport = { code, name: table?.name ?? portalTableName(code, options.prefix), id: table?.id ?? 0, action: 'unchanged', added: [], hidden: [], shown: [], warnings: [] }
    if (table === undefined) {
      const answer = await client.call<{ id?: unknown }>('biconnector.table.add', {
        fields: { sourceId, name: report.name, externalName: title.slice(0, 512), externalCode: code, fields: desired }
      })
      report.id = Number(answer?.id)
      if (!Number.isInteger(report.id) || report.id <= 0) throw new ERR_TABLES_SYNC(`biconnector.table.add answered no table id for '${code}'`)
      report.action = 'added'
      report.added = desired.map((column) => column.externalCode)
    } else {
      await updateTable(client, table, desired, report)
    }
    reports.push(report)
    options.onTable?.(report)
  }
  return reports
}
