import { exactStringify, JsonNumber, type ExactValue } from '../util/exact-json.js'
import { checkData, checkTableDescription, parseAnswer, PORTAL_PREVIEW_LIMIT } from '../protocol/answer-checks.js'
import { count, type ProbeContext, type ProbedTable } from './probe-context.js'

/** A cell as the text a portal filter would carry: numbers as written, strings as they are. */
export function cellValue (value: ExactValue | undefined): string {
  if (value instanceof JsonNumber) return value.text
  if (typeof value === 'string') return value
  return value === undefined ? '' : exactStringify(value)
}

/** urlTableDescription: the fields every later step of the table uses. */
export async function describeTable (probe: ProbeContext, table: ProbedTable): Promise<void> {
  const { step, body } = await probe.call(`${table.code}: description`, 'tableDescription', { table: table.code, connection: probe.connection })
  table.fields = step.status === 200 ? checkTableDescription(parseAnswer(body, step.violations), step.violations) : []
  table.types = new Map(table.fields.map((field) => [field.code, field.type]))
  step.summary = count(table.fields.length, 'field')
}

/** The portal's preview: `limit` only (20), no select, so the header must list every field in description order. */
export async function previewTable (probe: ProbeContext, table: ProbedTable): Promise<void> {
  const limit = probe.options.previewLimit ?? PORTAL_PREVIEW_LIMIT
  const { step, body } = await probe.call(`${table.code}: preview`, 'data', { connection: probe.connection, table: table.code, limit })
  if (step.status !== 200) return
  const header = table.fields.map((field) => field.code)
  table.preview = checkData(parseAnswer(body, step.violations), { header, types: table.types, limit, datetime: probe.datetime }, step.violations)
  step.summary = count(table.preview.length, 'row')
}

/** A `select` of the first fields in reverse order (the header must follow select), a filter from the preview, a limit. */
export async function selectFromTable (probe: ProbeContext, table: ProbedTable): Promise<void> {
  const { fields, types } = table
  const preview = table.preview ?? []
  const select = fields.slice(0, Math.min(3, fields.length)).map((field) => field.code).reverse()
  const usable = (index: number): boolean => ['string', 'int', 'date'].includes(fields[index]?.type ?? '') &&
    preview[0]?.[index] !== null && preview[0]?.[index] !== undefined
  const indexes = fields.map((_, index) => index)
  const column = indexes.find((index) => index < select.length && usable(index)) ?? indexes.find(usable) ?? -1
  const filterField = column >= 0 ? fields[column] : undefined
  const filterValue = filterField !== undefined ? cellValue(preview[0]?.[column]) : undefined
  const filter = filterField !== undefined ? { [`=${filterField.code}`]: filterValue } : undefined
  const limit = 5
  const name = `${table.code}: select ${select.length}${filter !== undefined ? `, filter ${filterField?.code}` : ''}, limit ${limit}`
  const { step, body } = await probe.call(name, 'data', { connection: probe.connection, table: table.code, select, ...(filter !== undefined ? { filter } : {}), limit })
  if (step.status !== 200) return
  const rows = checkData(parseAnswer(body, step.violations), { header: select, types, limit, datetime: probe.datetime }, step.violations)
  step.summary = count(rows.length, 'row')
  if (filterField === undefined) return
  if (rows.length === 0) probe.error(step, `filter =${filterField.code} on a value from the preview found no rows`)
  const at = select.indexOf(filterField.code)
  const stray = at < 0 ? undefined : rows.find((row) => cellValue(row[at]) !== filterValue)
  if (stray !== undefined) probe.error(step, `filter =${filterField.code} ${JSON.stringify(filterValue)} returned ${JSON.stringify(cellValue(stray[at]))}`)
}
