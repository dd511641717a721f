import { exactStringify, type ExactValue } from '../util/exact-json.js'
import {
  checkCheckAnswer, checkData, checkTableDescription as checkDescriptionAnswer, checkTableList, hasErrors,
  PORTAL_PREVIEW_LIMIT, type Violation
} from '../protocol/answer-checks.js'
import type { KitContext } from './kit-context.js'

const CANARY_PREFIX = 'b24bi-canary-'

/** A value no adapter accepts and every answer and log line must keep to itself. */
export const WRONG_VALUE_CANARY = `${CANARY_PREFIX}${Math.random().toString(36).slice(2, 12)}`

const messages = (violations: readonly Violation[]): string =>
  violations.length === 0 ? '' : `: ${violations.slice(0, 3).map((violation) => violation.message).join('; ')}`

/** urlCheck answers 200 with a body; a wrong credential answers 401; a missing setting 400. */
export async function checkAuthentication (kit: KitContext): Promise<void> {
  const ok = await kit.server.post('check', kit.body())
  const problems = checkCheckAnswer(ok.status, ok.text)
  kit.report('check', problems.length === 0, `urlCheck with the sample connection answers 200 with a non-empty body (got ${ok.status})${messages(problems)}`)
  const settings = kit.observed.settings
  if (settings.length === 0) return
  const credentials = settings.filter((setting) => setting.secret === true)
  const wrong = (credentials.length > 0 ? credentials : settings.filter((setting) => setting.type === 'STRING'))
  if (wrong.length > 0) {
    const connection = { ...kit.options.connection }
    for (const setting of wrong) connection[setting.code] = WRONG_VALUE_CANARY
    const rejected = await kit.server.post('check', { connection })
    kit.report('auth', rejected.status === 401,
      `urlCheck with a wrong ${wrong.map((setting) => setting.code).join(', ')} answers 401 (got ${rejected.status})`)
  }
  const missing = await kit.server.post('check', { connection: {} })
  const required = settings.some((setting) => setting.required !== false)
  if (required) kit.report('auth', missing.status === 400, `urlCheck without connection settings answers 400 (got ${missing.status})`)
}

/** The table list: non-empty codes and titles, no duplicates; search finds a table by part of its code. */
export async function checkListAndSearch (kit: KitContext): Promise<void> {
  const answer = await kit.server.post('tableList', kit.body({ searchString: '' }))
  const violations: Violation[] = []
  const tables = answer.status === 200 ? checkTableList(answer.json, violations) : []
  kit.report('list', answer.status === 200 && tables.length > 0 && !hasErrors(violations),
    `urlTableList answers 200 with at least one table, each with a non-empty code and title, codes unique (got ${answer.status}, ` +
    `${tables.length} tables)${messages(violations)}`)
  kit.tables = tables.map((table) => table.code)
  const first = kit.tables[0]
  if (first === undefined) return
  const needle = first.slice(0, Math.max(1, Math.ceil(first.length / 2))).toUpperCase()
  const search = await kit.server.post('tableList', kit.body({ searchString: needle }))
  const found = Array.isArray(search.json) && search.json.some((table) => (table as Record<string, ExactValue>).code === first)
  kit.report('search', found, `searchString '${needle}' finds '${first}' (case-insensitive)`)
  const none = await kit.server.post('tableList', kit.body({ searchString: 'no-such-table-at-all-b24bi' }))
  kit.report('search', Array.isArray(none.json) && none.json.length === 0, 'a searchString matching nothing answers an empty list')
}

/**
 * Every listed table describes as the portal requires (non-empty code, name and a known type, unique codes); the
 * kit also fails codes that are not dataset field names, which the probe only warns about.
 */
export async function checkDescriptions (kit: KitContext): Promise<void> {
  for (const table of kit.tables.slice(0, 20)) {
    const answer = await kit.server.post('tableDescription', kit.body({ table }))
    const violations: Violation[] = []
    if (answer.status === 200) checkDescriptionAnswer(answer.json, violations)
    kit.report('describe', answer.status === 200 && violations.length === 0,
      `urlTableDescription for '${table}' answers 200 with a non-empty list of fields, each with a non-empty code, name and ` +
      `an allowed type, codes unique and valid dataset field names (got ${answer.status})${messages(violations)}`)
  }
}

/** A preview as the portal makes it (limit 20, no select) of every table: header in description order, typed values. */
export async function checkTypes (kit: KitContext): Promise<void> {
  const datetime = kit.options.runtime?.datetimeFormat === 'iso' ? 'iso' : 'Y-m-d H:i:s'
  for (const table of kit.tables.slice(0, 20)) {
    const fields = await kit.fields(table)
    if (fields === undefined) continue
    const answer = await kit.server.post('data', kit.body({ table, limit: PORTAL_PREVIEW_LIMIT }))
    const violations: Violation[] = []
    if (answer.status === 200) {
      const expected = { header: fields.map((field) => field.code), types: new Map(fields.map((field) => [field.code, field.type])), limit: PORTAL_PREVIEW_LIMIT, datetime } as const
      checkData(answer.json, expected, violations)
    }
    kit.report('types', answer.status === 200 && violations.length === 0,
      `a preview of '${table}' (limit ${PORTAL_PREVIEW_LIMIT}, no select) answers 200, the header lists every field in description order ` +
      `and every value has its declared type and format (got ${answer.status}${answer.status === 200 ? '' : `: ${answer.text.slice(0, 300)}`})` +
      messages(violations.map((violation) => ({ ...violation, message: `${table}.${violation.message}` }))))
  }
}

/** Rows as sorted canonical texts, to compare answers whose row order is not defined. */
export function rowMultiset (rows: readonly ExactValue[][]): string[] {
  return rows.map((row) => exactStringify(row)).sort()
}
