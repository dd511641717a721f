import { FIELD_TYPES, isDatasetFieldName, type FieldType } from '../../field-types.js'
import { isAnswerDate, isAnswerDateTime, isAnswerTimeZone } from '../../answer-format.js'

/** One finding of the probe: an `error` fails the run (the portal would reject it), a `warning` does not. */
export interface Violation {
  severity: 'error' | 'warning'
  message: string
}

/** How datetimes are expected: the portal's default `Y-m-d H:i:s`, or ISO 8601 with an offset. */
export type ExpectedDateTime = 'Y-m-d H:i:s' | 'iso'

/** A described field, as the probe keeps it. */
export interface ProbedField {
  code: string
  name: string
  type: FieldType
}

const error = (message: string): Violation => ({ severity: 'error', message })
const warning = (message: string): Violation => ({ severity: 'warning', message })
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== ''

/** Parses a body as JSON, or records why it is not. */
export function parseJson (body: string, violations: Violation[]): unknown {
  try {
    return JSON.parse(body)
  } catch {
    violations.push(error(`the answer is not valid JSON (${body.length} bytes${body.length > 0 ? `, ends with '${body.slice(-30)}'` : ''})`))
    return undefined
  }
}

/** urlCheck: status 200 and a non-empty body are all the portal looks at. */
export function checkCheckAnswer (status: number, body: string): Violation[] {
  const violations: Violation[] = []
  if (status !== 200) violations.push(error(`HTTP ${status}: the portal accepts only 200 (${body.slice(0, 200)})`))
  else if (body.trim() === '') violations.push(error('an empty body: the portal treats it as a failed check'))
  return violations
}

/** urlTableList: an array of `{code, title}`, both non-empty, else the portal rejects the whole answer. */
export function checkTableList (value: unknown, violations: Violation[]): Array<{ code: string, title: string }> {
  if (!Array.isArray(value)) {
    violations.push(error('the answer is not a JSON array'))
    return []
  }
  const tables: Array<{ code: string, title: string }> = []
  value.forEach((item: Record<string, unknown> | null, index) => {
    if (typeof item !== 'object' || item === null) return violations.push(error(`item ${index} is not an object`))
    if (!nonEmpty(item.code)) violations.push(error(`item ${index}: "code" is missing or empty`))
    if (!nonEmpty(item.title)) violations.push(error(`item ${index}${nonEmpty(item.code) ? ` (${item.code})` : ''}: "title" is missing or empty`))
    if (nonEmpty(item.code)) tables.push({ code: item.code, title: nonEmpty(item.title) ? item.title : '' })
  })
  const codes = tables.map((table) => table.code)
  const duplicate = codes.find((code, index) => codes.indexOf(code) !== index)
  if (duplicate !== undefined) violations.push(error(`the table code '${duplicate}' is listed twice`))
  return tables
}

/** urlTableDescription: `{code, name, type}` all non-empty, a known type; dataset names checked as a warning. */
export function checkTableDescription (value: unknown, violations: Violation[]): ProbedField[] {
  if (!Array.isArray(value)) {
    violations.push(error('the answer is not a JSON array'))
    return []
  }
  if (value.length === 0) violations.push(error('no fields: the portal cannot build a dataset'))
  const fields: ProbedField[] = []
  value.forEach((item: Record<string, unknown> | null, index) => {
    if (typeof item !== 'object' || item === null) return violations.push(error(`field ${index} is not an object`))
    const label = nonEmpty(item.code) ? `field ${item.code}` : `field ${index}`
    for (const key of ['code', 'name', 'type']) {
      if (!nonEmpty(item[key])) violations.push(error(`${label}: "${key}" is missing or empty`))
    }
    if (nonEmpty(item.type) && !(FIELD_TYPES as readonly string[]).includes(item.type)) {
      violations.push(error(`${label}: type '${item.type}' is not one of ${FIELD_TYPES.join(', ')} (the portal reads it as string)`))
    }
    if (nonEmpty(item.code) && !isDatasetFieldName(item.code)) {
      violations.push(warning(`${label}: not a dataset field name (A-Z, 0-9, _, a letter first, at most 32); map it when creating the dataset`))
    }
    if (nonEmpty(item.code) && nonEmpty(item.type)) fields.push({ code: item.code, name: nonEmpty(item.name) ? item.name : item.code, type: item.type as FieldType })
  })
  const codes = fields.map((field) => field.code)
  const duplicate = codes.find((code, index) => codes.indexOf(code) !== index)
  if (duplicate !== undefined) violations.push(error(`the field code '${duplicate}' is described twice`))
  return fields
}

/** Why `value` is not a valid `type` value, or undefined when it is. `null` is valid for every type. */
export function valueProblem (value: unknown, type: FieldType, datetime: ExpectedDateTime): string | undefined {
  if (value === null) return undefined
  switch (type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : 'not an integer'
    case 'double':
    case 'money':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'not a number'
    case 'string':
      return typeof value === 'string' ? undefined : 'not a string'
    case 'timezone':
      return typeof value === 'string' && isAnswerTimeZone(value) ? undefined : 'not a time zone identifier'
    case 'date':
      return typeof value === 'string' && isAnswerDate(value) ? undefined : 'not a Y-m-d date'
    case 'datetime':
      return typeof value === 'string' && isAnswerDateTime(value, datetime === 'iso')
        ? undefined
        : `not a ${datetime === 'iso' ? 'ISO 8601 datetime' : 'Y-m-d H:i:s datetime'}`
  }
}

/** What urlData's answer must satisfy. */
export interface DataExpectation {
  /** The field codes the header must hold, in this order. */
  header: readonly string[]
  /** Types by field code. */
  types: ReadonlyMap<string, FieldType>
  /** At most this many rows. */
  limit: number | undefined
  datetime: ExpectedDateTime
}

/** urlData: `[[header...], [row...], ...]`, header in the expected order, rows no longer than the limit, typed values. */
export function checkData (value: unknown, expected: DataExpectation, violations: Violation[]): unknown[][] {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) {
    violations.push(error('the answer is not a JSON array starting with the header array'))
    return []
  }
  const [header, ...rows] = value as unknown[][]
  if (JSON.stringify(header) !== JSON.stringify(expected.header)) {
    violations.push(error(`the header is ${JSON.stringify(header)}, expected ${JSON.stringify(expected.header)}`))
  }
  if (expected.limit !== undefined && rows.length > expected.limit) violations.push(error(`${rows.length} rows for a limit of ${expected.limit}`))
  const reported = new Set<string>()
  rows.forEach((row, index) => {
    if (!Array.isArray(row) || row.length !== expected.header.length) {
      violations.push(error(`row ${index + 1} is not an array of ${expected.header.length} values`))
      return
    }
    row.forEach((cell, column) => {
      const code = expected.header[column] ?? ''
      const type = expected.types.get(code)
      const problem = type === undefined ? undefined : valueProblem(cell, type, expected.datetime)
      if (problem !== undefined && !reported.has(code)) {
        reported.add(code) // one finding per field keeps the report readable
        violations.push(error(`field ${code} (${type}) row ${index + 1}: ${JSON.stringify(cell)?.slice(0, 60)} is ${problem}`))
      }
    })
  })
  return rows.filter(Array.isArray)
}
