import { FIELD_TYPES, isDatasetFieldName, type FieldInfo } from '../field-types.js'
import { exactStringify, JsonNumber, type ExactValue } from '../exact-json.js'
import { type KitContext, valueText } from './kit-context.js'
import { isAnswerDate, isAnswerDateTime, isAnswerTimeZone } from '../answer-format.js'

const CANARY_PREFIX = 'b24bi-canary-'

/** A value no adapter accepts and every answer and log line must keep to itself. */
export const WRONG_VALUE_CANARY = `${CANARY_PREFIX}${Math.random().toString(36).slice(2, 12)}`

/** urlCheck answers 200 with a body; a wrong credential answers 401; a missing setting 400. */
export async function checkAuthentication (kit: KitContext): Promise<void> {
  const ok = await kit.server.post('check', kit.body())
  kit.report('check', ok.status === 200 && ok.text.length > 0,
    `urlCheck with the sample connection answers 200 with a non-empty body (got ${ok.status})`)
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
export async function checkTableList (kit: KitContext): Promise<void> {
  const answer = await kit.server.post('tableList', kit.body({ searchString: '' }))
  const tables = Array.isArray(answer.json) ? answer.json as Array<Record<string, ExactValue>> : []
  const wellFormed = tables.every((table) => typeof table.code === 'string' && table.code !== '' && typeof table.title === 'string' && table.title !== '')
  kit.report('list', answer.status === 200 && tables.length > 0 && wellFormed,
    `urlTableList answers 200 with at least one table, each with a non-empty code and title (got ${answer.status}, ${tables.length} tables)`)
  kit.tables = tables.map((table) => String(table.code))
  const unique = new Set(kit.tables).size === kit.tables.length
  kit.report('list', unique, `table codes are unique${unique ? '' : `: ${kit.tables.join(', ')}`}`)
  const first = kit.tables[0]
  if (first === undefined) return
  const needle = first.slice(0, Math.max(1, Math.ceil(first.length / 2))).toUpperCase()
  const search = await kit.server.post('tableList', kit.body({ searchString: needle }))
  const found = Array.isArray(search.json) && search.json.some((table) => (table as Record<string, ExactValue>).code === first)
  kit.report('search', found, `searchString '${needle}' finds '${first}' (case-insensitive)`)
  const none = await kit.server.post('tableList', kit.body({ searchString: 'no-such-table-at-all-b24bi' }))
  kit.report('search', Array.isArray(none.json) && none.json.length === 0, 'a searchString matching nothing answers an empty list')
}

/** Every listed table describes: non-empty fields with code, name and an allowed type; codes usable as dataset field names. */
export async function checkDescriptions (kit: KitContext): Promise<void> {
  for (const table of kit.tables.slice(0, 20)) {
    const fields = await kit.fields(table)
    if (fields === undefined || fields.length === 0) {
      kit.report('describe', false, `urlTableDescription for '${table}' answers a non-empty list of fields`)
      continue
    }
    const bad = fields.filter((field) => typeof field.code !== 'string' || field.code === '' || typeof field.name !== 'string' ||
      field.name === '' || !(FIELD_TYPES as readonly string[]).includes(field.type))
    kit.report('describe', bad.length === 0, `'${table}': every field has a non-empty code, name and an allowed type` +
      (bad.length === 0 ? '' : `; wrong: ${JSON.stringify(bad.slice(0, 3))}`))
    const invalid = fields.filter((field) => !isDatasetFieldName(field.code)).map((field) => field.code)
    kit.report('describe', invalid.length === 0, `'${table}': field codes are valid dataset field names (letter first, A-Z, 0-9, _, ≤ 32)` +
      (invalid.length === 0 ? '' : `; invalid: ${invalid.slice(0, 5).join(', ')} (rename them with the runtime option renameFields)`))
    const codes = fields.map((field) => field.code)
    kit.report('describe', new Set(codes).size === codes.length, `'${table}': field codes are unique`)
  }
}

/** Why `value` is not a valid answer value of `type`, or undefined when it is. */
export function typeProblem (type: FieldInfo['type'], value: ExactValue | undefined, iso: boolean): string | undefined {
  if (value === null) return undefined
  switch (type) {
    case 'int':
      return value instanceof JsonNumber && /^-?\d+$/.test(value.text) ? undefined : 'is not an integer number'
    case 'double':
    case 'money':
      return value instanceof JsonNumber ? undefined : 'is not a number'
    case 'string':
      return typeof value === 'string' ? undefined : 'is not a string'
    case 'timezone':
      return typeof value === 'string' && isAnswerTimeZone(value) ? undefined : 'is not a time zone identifier (IANA name or UTC offset)'
    case 'date':
      return typeof value === 'string' && isAnswerDate(value) ? undefined : 'bad date format: not a calendar date YYYY-MM-DD'
    case 'datetime':
      return typeof value === 'string' && isAnswerDateTime(value, iso)
        ? undefined
        : `bad datetime format: not ${iso ? 'ISO 8601' : 'YYYY-MM-DD HH:MM:SS'}`
  }
}

/** A preview (limit 10, no select) of every table: header in description order, every value of its declared type. */
export async function checkTypes (kit: KitContext): Promise<void> {
  const iso = kit.options.runtime?.datetimeFormat === 'iso'
  for (const table of kit.tables.slice(0, 20)) {
    const fields = await kit.fields(table)
    if (fields === undefined) continue
    const read = await kit.read({ table, limit: 10 })
    if (typeof read === 'string') {
      kit.report('types', false, `a preview of '${table}' (limit 10) ${read}`)
      continue
    }
    const codes = fields.map((field) => field.code)
    kit.report('types', JSON.stringify(read.header) === JSON.stringify(codes),
      `the preview header of '${table}' lists every field in description order (got ${JSON.stringify(read.header)})`)
    const problems: string[] = []
    for (const row of read.rows) {
      if (!Array.isArray(row) || row.length !== fields.length) {
        problems.push(`row ${exactStringify(row)} does not have ${fields.length} values`)
        continue
      }
      fields.forEach((field, index) => {
        const problem = typeProblem(field.type, row[index], iso)
        if (problem !== undefined) problems.push(`${table}.${field.code} (${field.type}) = ${JSON.stringify(valueText(row[index]))} ${problem}`)
      })
    }
    kit.report('types', problems.length === 0, `every value of the '${table}' preview has its declared type and format` +
      (problems.length === 0 ? '' : `: ${problems.slice(0, 3).join('; ')}`))
  }
}

/** Rows as sorted canonical texts, to compare answers whose row order is not defined. */
export function rowMultiset (rows: readonly ExactValue[][]): string[] {
  return rows.map((row) => exactStringify(row)).sort()
}
