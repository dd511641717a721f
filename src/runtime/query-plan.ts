import type { Capabilities, PushdownScope } from '../core/adapter.js'
import { ERR_FIELD_NOT_FOUND, ERR_REQUEST_INVALID } from '../core/errors.js'
import { answerHeader, fieldResolver, type FieldResolver } from '../protocol/field-names.js'
import type { FieldInfo } from '../core/field-types.js'
import type { FilterCondition, FilterNode } from '../core/filter-ast.js'
import { parseFilter } from '../filter/parse.js'
import { splitFilter } from '../filter/split.js'
import type { TimeZone } from '../core/time-zone.js'

/** How one urlData request is answered: what the adapter reads and what the runtime does after it. */
export interface QueryPlan {
  /** The answer's columns, in the order asked (all fields in description order when none were). */
  select: readonly FieldInfo[]
  /** The answer's header: `select` as the portal sent it (its field names), else each field's mapFields name or code. */
  header: readonly string[]
  /** What the adapter reads: `select`, then the fields only the residual filter needs. */
  readFields: readonly FieldInfo[]
  /** The part of the filter handed to the adapter. */
  pushed: FilterNode | undefined
  /** The part the runtime applies to the stream. */
  residual: FilterNode | undefined
  /** The limit handed to the adapter (only when it pushes limits and nothing is filtered after it). */
  pushedLimit: number | undefined
  /** The limit the runtime enforces in any case (a request's `limit` 0 means none). */
  limit: number | undefined
}

/** The request's query, as validated by the schema. */
export interface QueryRequest {
  select?: readonly string[]
  filter?: unknown
  limit?: number
  mapFields?: Readonly<Record<string, string>>
}

function resolveSelect (fields: readonly FieldInfo[], select: readonly string[] | undefined, resolve: FieldResolver): FieldInfo[] {
  if (select === undefined || select.length === 0) return [...fields]
  const seen = new Set<string>()
  return select.map((name) => {
    const field = resolve(name)
    if (field === undefined) throw new ERR_FIELD_NOT_FOUND(name, 'select')
    if (seen.has(field.code)) throw new ERR_REQUEST_INVALID(`select names the field '${field.code}' twice ('${name}')`)
    seen.add(field.code)
    return field
  })
}

function fieldsOf (node: FilterNode | undefined, into: Set<string>): Set<string> {
  if (node === undefined) return into
  if (node.kind === 'condition') into.add(node.field)
  else for (const item of node.items) fieldsOf(item, into)
  return into
}

function pushdownTest (capabilities: Capabilities, fields: readonly FieldInfo[], scope: PushdownScope): (condition: FilterCondition) => boolean {
  const { filter } = capabilities
  if (filter === true) return () => true
  if (filter === undefined || filter === false) return () => false
  const byCode = new Map(fields.map((field) => [field.code, field]))
  return (condition) => filter(byCode.get(condition.field)!, condition.op, scope)
}

/**
 * Builds the plan: resolves the portal's field names in `select` and the filter (see `fieldResolver`), parses and
 * splits the filter (asking the adapter's `capabilities.filter` with `scope`), decides where the limit applies.
 */
export function planQuery (
  fields: readonly FieldInfo[],
  request: QueryRequest,
  capabilities: Capabilities,
  options: { timeZone: TimeZone, maxRows: number, portalDateFormat?: string | undefined },
  scope: PushdownScope
): QueryPlan {
  const resolve = fieldResolver(fields, request.mapFields)
  const select = resolveSelect(fields, request.select, resolve)
  const header = answerHeader(fields, request.select, request.mapFields)
  const filter = parseFilter(request.filter, fields, { timeZone: options.timeZone, portalDateFormat: options.portalDateFormat, resolveField: resolve })
  const { pushed, residual } = filter === undefined ? {} : splitFilter(filter, pushdownTest(capabilities, fields, scope))
  const readFields = [...select]
  for (const code of fieldsOf(residual, new Set())) {
    if (!readFields.some((field) => field.code === code)) readFields.push(fields.find((field) => field.code === code)!)
  }
  // One row past the maximum is read so that an over-long answer fails instead of being cut short.
  const cap = Number.isFinite(options.maxRows) ? options.maxRows + 1 : undefined
  // The portal's `limit` is a PHP int; 0 means "none given" (as in both vendor example connectors).
  const asked = request.limit === undefined || request.limit === 0 ? undefined : request.limit
  const limit = asked === undefined ? cap : Math.min(asked, cap ?? Infinity)
  const pushedLimit = capabilities.limit === true && residual === undefined ? limit : undefined
  return { select, header, readFields, pushed, residual, pushedLimit, limit }
}
