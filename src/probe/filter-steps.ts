import type { ExactValue } from '../util/exact-json.js'
import type { FieldType } from '../core/field-types.js'
import { checkData, parseAnswer, PORTAL_PREVIEW_LIMIT } from '../protocol/answer-checks.js'
import { count, type ProbeContext, type ProbedTable } from './probe-context.js'
import { writePortalDate } from './portal-date.js'
import { cellValue } from './table-steps.js'

/**
 * Filters shaped as the portal builds them (`DataSourceConnector\Connector\Base::getData`): a dashboard's dimension
 * filter is a numeric-keyed OR group of `[!]<op>F => [values]`, alone a list of groups (`filter[0][LOGIC]=OR&...`);
 * a date range is `>=F` (the day, SHORT format) and `<=F` (the day at 23:59:59, FULL format, even on a date field),
 * written in the portal's own site format. Each answer must hold at least one row (the values come from the preview)
 * and no row that the filter excludes.
 */

interface Column {
  index: number
  code: string
  values: string[]
}

/** The first field of one of `types` with a value in the preview, and its distinct values there. */
function columnOf (table: ProbedTable, types: readonly FieldType[]): Column | undefined {
  const preview = table.preview ?? []
  for (const [index, field] of table.fields.entries()) {
    if (!types.includes(field.type)) continue
    const values = [...new Set(preview.map((row) => row[index]).filter((value) => value !== null && value !== undefined).map(cellValue))]
    if (values.length > 0) return { index, code: field.code, values }
  }
  return undefined
}

async function filtered (
  probe: ProbeContext, table: ProbedTable, name: string, filter: unknown, column: Column, keeps: (value: string) => boolean
): Promise<void> {
  const select = table.fields.map((field) => field.code)
  const limit = PORTAL_PREVIEW_LIMIT
  const { step, body } = await probe.call(`${table.code}: ${name}`, 'data', { connection: probe.connection, table: table.code, select, filter, limit })
  if (step.status !== 200) return
  const rows = checkData(parseAnswer(body, step.violations), { header: select, types: table.types, limit, datetime: probe.datetime }, step.violations)
  step.summary = count(rows.length, 'row')
  if (rows.length === 0) probe.error(step, 'no rows, though the values come from the preview')
  const stray = rows.map((row: ExactValue[]) => row[column.index]).find((value) => value !== null && value !== undefined && !keeps(cellValue(value)))
  if (stray !== undefined) probe.error(step, `a row with ${column.code} = ${JSON.stringify(cellValue(stray))}, which the filter excludes`)
}

/** `filter[0][LOGIC]=OR&filter[0][0][=F][0]=v&filter[0][0][=F][1]=w`: a dimension filter alone, a list of one group. */
export async function filterGroupsOnly (probe: ProbeContext, table: ProbedTable): Promise<void> {
  const column = columnOf(table, ['string', 'int'])
  if (column === undefined) return probe.notRun(`${table.code}: filter, groups only`, 'no string or int field with a value in the preview')
  const values = column.values.slice(0, 2)
  const filter = [{ LOGIC: 'OR', 0: { [`=${column.code}`]: values } }]
  await filtered(probe, table, `filter, groups only: =${column.code} [${values.join(', ')}]`, filter, column, (value) => values.includes(value))
}

/** `filter[>=F]=<day>&filter[<=F]=<day> 23:59:59` in the portal's date format: the rows of that day. */
export async function filterDateRange (probe: ProbeContext, table: ProbedTable): Promise<void> {
  const column = columnOf(table, ['date', 'datetime'])
  if (column === undefined) return probe.notRun(`${table.code}: filter, date range`, 'no date or datetime field with a value in the preview')
  const day = column.values[0]!.slice(0, 10)
  const filter = {
    [`>=${column.code}`]: writePortalDate(probe.dates.short, day),
    [`<=${column.code}`]: writePortalDate(probe.dates.full, day, '23:59:59')
  }
  await filtered(probe, table, `filter, date range ${filter[`>=${column.code}`]} - ${filter[`<=${column.code}`]} on ${column.code}`,
    filter, column, (value) => value.slice(0, 10) === day)
}

/** `filter[0][LOGIC]=OR&filter[0][0][!>F][0]=v`: a negated numeric comparison with a list value. */
export async function filterNegatedList (probe: ProbeContext, table: ProbedTable): Promise<void> {
  const column = columnOf(table, ['int', 'double', 'money'])
  if (column === undefined) return probe.notRun(`${table.code}: filter, negated comparison`, 'no numeric field with a value in the preview')
  const bound = column.values[0]!
  const filter = [{ LOGIC: 'OR', 0: { [`!>${column.code}`]: [bound] } }]
  await filtered(probe, table, `filter, negated: !>${column.code} [${bound}]`, filter, column, (value) => !greater(value, bound))
}

const INTEGER = /^-?\d+$/

/** `a > b` for number texts, exact for integers of any size. */
function greater (a: string, b: string): boolean {
  return INTEGER.test(a) && INTEGER.test(b) ? BigInt(a) > BigInt(b) : Number(a) > Number(b)
}
