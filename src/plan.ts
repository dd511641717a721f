import type { Capabilities } from './adapter.js'
import { ERR_FIELD_NOT_FOUND, ERR_MAP_FIELDS_INVALID } from './errors.js'
import { isDatasetFieldName, type FieldInfo } from './field-types.js'
import type { FilterCondition, FilterNode } from './filter/ast.js'
import { parseFilter } from './filter/parse.js'
import { splitFilter } from './filter/split.js'
import type { TimeZone } from './time-zone.js'

/** How one urlData request is answered: what the adapter reads and what the runtime does after it. */
export interface QueryPlan {
  /** The answer's columns, in the order asked (all fields in description order when none were). */
  select: readonly FieldInfo[]
  /** What the adapter reads: `select`, then the fields only the residual filter needs. */
  readFields: readonly FieldInfo[]
  /** The part of the filter handed to the adapter. */
  pushed: FilterNode | undefined
  /** The part the runtime applies to the stream. */
  residual: FilterNode | undefined
  /** The limit handed to the adapter (only when it pushes limits and nothing is filtered after it). */
  pushedLimit: number | undefined
  /** The limit the runtime enforces in any case. */
  limit: number | undefined
}

/** The request's query, as validated by the schema. */
export interface QueryRequest {
  select?: readonly string[]
  filter?: unknown
  limit?: number
  mapFields?: Readonly<Record<string, string>>
}

function resolveSelect (fields: readonly FieldInfo[], select: readonly string[] | undefined): FieldInfo[] {
  if (select === undefined || select.length === 0) return [...fields]
  const byCode = new Map(fields.map((field) => [field.code, field]))
  const seen = new Set<string>()
  return select.map((code) => {
    const field = byCode.get(code)
    if (field === undefined) throw new ERR_FIELD_NOT_FOUND(code, 'select')
    if (seen.has(code)) throw new ERR_FIELD_NOT_FOUND(code, 'select (listed twice)')
    seen.add(code)
    return field
  })
}

/** mapFields maps a selected field's code to a dataset field name; the header stays in field codes. */
function checkMapFields (mapFields: Readonly<Record<string, string>> | undefined, select: readonly FieldInfo[]): void {
  if (mapFields === undefined) return
  const selected = new Set(select.map((field) => field.code))
  const names = new Set<string>()
  for (const [code, name] of Object.entries(mapFields)) {
    if (!selected.has(code)) throw new ERR_MAP_FIELDS_INVALID(`'${code}' is not a selected field`)
    if (!isDatasetFieldName(name)) throw new ERR_MAP_FIELDS_INVALID(`'${name}' is not a valid dataset field name`)
    if (names.has(name)) throw new ERR_MAP_FIELDS_INVALID(`'${name}' is used twice`)
    names.add(name)
  }
}

function fieldsOf (node: FilterNode | undefined, into: Set<string>): Set<string> {
  if (node === undefined) return into
  if (node.kind === 'condition') into.add(node.field)
  else for (const item of node.items) fieldsOf(item, into)
  return into
}

function pushdownTest (capabilities: Capabilities, fields: readonly FieldInfo[]): (condition: FilterCondition) => boolean {
  const { filter } = capabilities
  if (filter === true) return () => true
  if (filter === undefined || filter === false) return () => false
  const byCode = new Map(fields.map((field) => [field.code, field]))
  return (condition) => filter(byCode.get(condition.field)!, condition.op)
}

/** Builds the plan: resolves fields, parses and splits the filter, decides where the limit applies. */
export function planQuery (
  fields: readonly FieldInfo[],
  request: QueryRequest,
  capabilities: Capabilities,
  options: { timeZone: TimeZone, maxRows: number, portalDateFormat?: string | undefined }
): QueryPlan {
  const select = resolveSelect(fields, request.select)
  checkMapFields(request.mapFields, select)
  const filter = parseFilter(request.filter, fields, { timeZone: options.timeZone, portalDateFormat: options.portalDateFormat })
  const { pushed, residual } = filter === undefined ? {} : splitFilter(filter, pushdownTest(capabilities, fields))
  const readFields = [...select]
  for (const code of fieldsOf(residual, new Set())) {
    if (!readFields.some((field) => field.code === code)) readFields.push(fields.find((field) => field.code === code)!)
  }
  // One row past the maximum is read so that an over-long answer fails instead of being cut short.
  const cap = Number.isFinite(options.maxRows) ? options.maxRows + 1 : undefined
  const limit = request.limit === undefined ? cap : Math.min(request.limit, cap ?? Infinity)
  const pushedLimit = capabilities.limit === true && residual === undefined ? limit : undefined
  return { select, readFields, pushed, residual, pushedLimit, limit }
}
