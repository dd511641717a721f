import { isAnswerDate, isAnswerDateTime, isAnswerTimeZone } from './answer-values.js'
import { exactStringify, JsonNumber, parseExactJson, type ExactValue } from '../util/exact-json.js'
import { FIELD_TYPES, isDatasetFieldName, type FieldType } from '../core/field-types.js'

/**
 * The checks the portal makes on each answer, written once for `b24bi probe` and the conformance kit
 * (`b24bi/testing`). Each check returns what it could read and appends what the portal would reject
 * (`error`) or what is only risky (`warning`) to a list of violations.
 */

/** One finding: an `error` the portal would reject, a `warning` it would not. */
export interface Violation {
  severity: 'error' | 'warning'
  message: string
}

/** How datetimes are expected: the portal's default `Y-m-d H:i:s`, or ISO 8601 (an offset for instants). */
export type ExpectedDateTime = 'Y-m-d H:i:s' | 'iso'

/** A described field as the checks keep it: the type lower-cased (the portal reads `INT` as `int`). */
export interface DescribedField {
  code: string
  name: string
  type: FieldType
}

/** A listed table (`id` is optional in the newest docs). */
export interface ListedTable {
  code: string
  title: string
}

/** Rows the portal asks for in a preview (`limit=20`, no `select`: every field, in description order). */
export const PORTAL_PREVIEW_LIMIT = 20

/** The largest integer the portal reads as `int` (PHP's signed 64-bit `(int)`). */
const PHP_INT_MAX = 9223372036854775807n

const error = (message: string): Violation => ({ severity: 'error', message })
const warning = (message: string): Violation => ({ severity: 'warning', message })
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== ''
const isObject = (value: unknown): value is Record<string, ExactValue> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)

/** True when any violation is an error. */
export function hasErrors (violations: readonly Violation[]): boolean {
  return violations.some((violation) => violation.severity === 'error')
}

/** Parses an answer body keeping numbers exact, or records why it is not JSON. */
export function parseAnswer (body: string, violations: Violation[]): ExactValue | undefined {
  try {
    return parseExactJson(body)
  } catch {
    violations.push(error(`the answer is not valid JSON (${body.length} bytes${body.length > 0 ? `, ends with '${body.slice(-30)}'` : ''})`))
    return undefined
  }
}

/** urlCheck: status 200 and a non-empty body are all the portal looks at. */
export function checkCheckAnswer (status: number, body: string): Violation[] {
  if (status !== 200) return [error(`HTTP ${status}: the portal accepts only 200 (${body.slice(0, 200)})`)]
  if (body.trim() === '') return [error('an empty body: the portal treats it as a failed check')]
  return []
}

/** The portal's type for a described `type`, case-insensitive (`INT` is `int`); undefined when it has none. */
export function portalFieldType (type: string): FieldType | undefined {
  const lower = type.toLowerCase()
  return (FIELD_TYPES as readonly string[]).includes(lower) ? lower as FieldType : undefined
}

function duplicateOf (codes: readonly string[]): string | undefined {
  return codes.find((code, index) => codes.indexOf(code) !== index)
}

/** urlTableList: an array of `{code, title}` (and an optional `id`), both non-empty, codes unique. */
export function checkTableList (value: ExactValue | undefined, violations: Violation[]): ListedTable[] {
  if (!Array.isArray(value)) {
    violations.push(error('the answer is not a JSON array'))
    return []
  }
  const tables: ListedTable[] = []
  value.forEach((item, index) => {
    if (!isObject(item)) return violations.push(error(`item ${index} is not an object`))
    if (!nonEmpty(item.code)) violations.push(error(`item ${index}: "code" is missing or empty`))
    if (!nonEmpty(item.title)) violations.push(error(`item ${index}${nonEmpty(item.code) ? ` (${item.code})` : ''}: "title" is missing or empty`))
    if (nonEmpty(item.code)) tables.push({ code: item.code, title: nonEmpty(item.title) ? item.title : '' })
  })
  const duplicate = duplicateOf(tables.map((table) => table.code))
  if (duplicate !== undefined) violations.push(error(`the table code '${duplicate}' is listed twice`))
  return tables
}

/**
 * urlTableDescription: a non-empty array of `{code, name, type}`, all non-empty, a type the portal knows
 * (any case), codes unique; a code that is not a dataset field name is a warning (the portal proposes a name).
 */
export function checkTableDescription (value: ExactValue | undefined, violations: Violation[]): DescribedField[] {
  if (!Array.isArray(value)) {
    violations.push(error('the answer is not a JSON array'))
    return []
  }
  if (value.length === 0) violations.push(error('no fields: the portal cannot build a dataset'))
  const fields: DescribedField[] = []
  value.forEach((item, index) => {
    if (!isObject(item)) return violations.push(error(`field ${index} is not an object`))
    const label = nonEmpty(item.code) ? `field ${item.code}` : `field ${index}`
    for (const key of ['code', 'name', 'type']) {
      if (!nonEmpty(item[key])) violations.push(error(`${label}: "${key}" is missing or empty`))
    }
    const type = nonEmpty(item.type) ? portalFieldType(item.type) : undefined
    if (nonEmpty(item.type) && type === undefined) {
      violations.push(error(`${label}: type '${item.type}' is not one of ${FIELD_TYPES.join(', ')} (the portal reads it as string)`))
    }
    if (nonEmpty(item.code) && !isDatasetFieldName(item.code)) {
      violations.push(warning(`${label}: not a dataset field name (A-Z, 0-9, _, a letter first, at most 32); ` +
        'the portal proposes a name for it when the table is created, or rename it with the runtime option renameFields'))
    }
    // An unknown type is read as string by the portal: later checks do the same.
    if (nonEmpty(item.code) && nonEmpty(item.type)) fields.push({ code: item.code, name: nonEmpty(item.name) ? item.name : item.code, type: type ?? 'string' })
  })
  const duplicate = duplicateOf(fields.map((field) => field.code))
  if (duplicate !== undefined) violations.push(error(`the field code '${duplicate}' is described twice`))
  return fields
}

function integerProblem (value: unknown): string | undefined {
  const text = value instanceof JsonNumber ? value.text : typeof value === 'number' && Number.isInteger(value) ? String(value) : undefined
  if (text === undefined || !/^-?\d+$/.test(text)) return 'is not an integer'
  const big = BigInt(text)
  return big > PHP_INT_MAX || big < -PHP_INT_MAX - 1n ? 'is outside the signed 64-bit range the portal reads ints in (declare it string)' : undefined
}

/** Why `value` is not a valid answer value of `type`, or undefined when it is. `null` is valid for every type. */
export function valueProblem (value: unknown, type: FieldType, datetime: ExpectedDateTime): string | undefined {
  if (value === null) return undefined
  switch (type) {
    case 'int':
      return integerProblem(value)
    case 'double':
    case 'money':
      return value instanceof JsonNumber || (typeof value === 'number' && Number.isFinite(value)) ? undefined : 'is not a number'
    case 'string':
      return typeof value === 'string' ? undefined : 'is not a string'
    case 'timezone':
      return typeof value === 'string' && isAnswerTimeZone(value) ? undefined : 'is not a time zone identifier (IANA name or UTC offset)'
    case 'date':
      return typeof value === 'string' && isAnswerDate(value) ? undefined : 'is not a Y-m-d date (bad date format)'
    case 'datetime':
      return typeof value === 'string' && isAnswerDateTime(value, datetime === 'iso')
        ? undefined
        : `is not a${datetime === 'iso' ? 'n ISO 8601' : ' Y-m-d H:i:s'} datetime (bad datetime format)`
    default:
      return undefined
  }
}

/** What urlData's answer must satisfy. */
export interface DataExpectation {
  /** The header, in this order (the `select` as sent, or every described code for a preview). */
  header: readonly string[]
  /** Types by header entry. */
  types: ReadonlyMap<string, FieldType>
  /** At most this many rows. */
  limit: number | undefined
  datetime: ExpectedDateTime
}

/** urlData: `[[header...], [row...], ...]`, the header as expected, no more rows than the limit, typed values. */
export function checkData (value: ExactValue | undefined, expected: DataExpectation, violations: Violation[]): ExactValue[][] {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) {
    violations.push(error('the answer is not a JSON array starting with the header array'))
    return []
  }
  const [header, ...rows] = value as ExactValue[][]
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
        violations.push(error(`field ${code} (${type}) row ${index + 1}: ${cellText(cell)} ${problem}`))
      }
    })
  })
  return rows.filter(Array.isArray)
}

/** A value as it appeared in the answer (numbers as written), cut for messages. */
export function cellText (value: ExactValue | undefined): string {
  return (value === undefined ? 'undefined' : exactStringify(value)).slice(0, 60)
}
