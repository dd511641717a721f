import type { FieldType } from '../../field-types.js'
import { DEFAULT_PATHS } from '../../endpoints.js'
import {
  checkCheckAnswer, checkData, checkTableDescription, checkTableList, parseJson,
  type ExpectedDateTime, type ProbedField, type Violation
} from './answer-checks.js'
import { phpFormEncode } from './php-form.js'

/** Options of `probe`; defaults in the comments. */
export interface ProbeOptions {
  /** The connector's base URL, e.g. `http://localhost:3000`. */
  baseUrl: string
  /** The connection settings, as the portal user would type them. */
  settings: Record<string, string>
  /** Endpoint paths. Default `/api/check`, `/api/table_list`, `/api/table_description`, `/api/data`. */
  paths?: Partial<Record<'check' | 'tableList' | 'tableDescription' | 'data', string>>
  /** Rows asked for in the preview call. Default 10. */
  previewLimit?: number
  /** Milliseconds per call; the portal waits 250 s. Default 250000. */
  timeout?: number
  /** Expected datetime format. Default `Y-m-d H:i:s`. */
  datetime?: ExpectedDateTime
  /** Called when a step starts (progress display). */
  onStep?: (name: string) => void
}

/** One call the probe made and what it found. */
export interface ProbeStep {
  name: string
  status: number
  ms: number
  summary: string
  violations: Violation[]
}

/** The whole run. */
export interface ProbeReport {
  baseUrl: string
  ok: boolean
  errors: number
  warnings: number
  steps: ProbeStep[]
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`

/** Plays the portal against a connector: every endpoint, encoded as the portal encodes, every answer checked. */
export async function probe (options: ProbeOptions): Promise<ProbeReport> {
  const paths = { ...DEFAULT_PATHS, ...options.paths }
  const base = options.baseUrl.replace(/\/+$/, '')
  const datetime = options.datetime ?? 'Y-m-d H:i:s'
  const steps: ProbeStep[] = []
  const connection = options.settings

  async function call (name: string, path: string, body: Record<string, unknown>): Promise<{ step: ProbeStep, body: string }> {
    options.onStep?.(name)
    const started = performance.now()
    const step: ProbeStep = { name, status: 0, ms: 0, summary: '', violations: [] }
    let text = ''
    try {
      const response = await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: phpFormEncode(body),
        signal: AbortSignal.timeout(options.timeout ?? 250_000)
      })
      step.status = response.status
      text = await response.text()
      if (response.status !== 200 && !name.startsWith('check with wrong')) {
        step.violations.push({ severity: 'error', message: `HTTP ${response.status}: the portal accepts only 200 (${text.slice(0, 200)})` })
      }
    } catch (error) {
      step.violations.push({ severity: 'error', message: `no answer: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}` })
    }
    step.ms = Math.round(performance.now() - started)
    steps.push(step)
    return { step, body: text }
  }

  const check = await call('check', paths.check, { connection })
  if (check.step.status === 200) check.step.violations.push(...checkCheckAnswer(check.step.status, check.body))
  check.step.summary = check.step.violations.length === 0 ? 'accepted' : 'refused'

  const wrong = await call('check with wrong settings', paths.check, { connection: Object.fromEntries(Object.keys(connection).map((key) => [key, `wrong-${key}`])) })
  wrong.step.summary = wrong.step.status === 200 ? 'accepted' : `refused (HTTP ${wrong.step.status})`
  if (wrong.step.status === 200 && Object.keys(connection).length > 0) {
    wrong.step.violations.push({ severity: 'warning', message: 'urlCheck accepts settings that should be wrong: is any connection allowed?' })
  }

  const listed = await call('table list', paths.tableList, { searchString: '', connection })
  const tables = listed.step.status === 200 ? checkTableList(parseJson(listed.body, listed.step.violations), listed.step.violations) : []
  listed.step.summary = count(tables.length, 'table')
  if (listed.step.status === 200 && tables.length === 0) listed.step.violations.push({ severity: 'warning', message: 'no tables: nothing to build a dataset from' })

  const first = tables[0]
  if (first !== undefined) {
    const search = first.code.slice(0, Math.max(1, Math.min(4, first.code.length)))
    const searched = await call(`table list, search '${search}'`, paths.tableList, { searchString: search, connection })
    const found = searched.step.status === 200 ? checkTableList(parseJson(searched.body, searched.step.violations), searched.step.violations) : []
    searched.step.summary = count(found.length, 'table')
    if (searched.step.status === 200 && !found.some((table) => table.code === first.code)) {
      searched.step.violations.push({ severity: 'warning', message: `searching '${search}' does not find '${first.code}'` })
    }
  }

  for (const table of tables) await probeTable(table.code)

  async function probeTable (table: string): Promise<void> {
    const described = await call(`${table}: description`, paths.tableDescription, { table, connection })
    const fields = described.step.status === 200 ? checkTableDescription(parseJson(described.body, described.step.violations), described.step.violations) : []
    described.step.summary = count(fields.length, 'field')
    if (fields.length === 0) return
    const types = new Map<string, FieldType>(fields.map((field) => [field.code, field.type]))
    const limit = options.previewLimit ?? 10
    const preview = await call(`${table}: preview`, paths.data, { connection, table, limit })
    const rows = preview.step.status === 200
      ? checkData(parseJson(preview.body, preview.step.violations), { header: fields.map((f) => f.code), types, limit, datetime }, preview.step.violations)
      : []
    preview.step.summary = count(rows.length, 'row')
    await probeSelection(table, fields, types, rows)
  }

  async function probeSelection (table: string, fields: ProbedField[], types: Map<string, FieldType>, preview: unknown[][]): Promise<void> {
    // The first fields in reverse order: the header must follow select, not the description.
    const select = fields.slice(0, Math.min(3, fields.length)).map((field) => field.code).reverse()
    const candidates = ['string', 'int', 'date']
    const usable = (index: number): boolean => candidates.includes(fields[index]?.type ?? '') && preview[0]?.[index] !== null && preview[0]?.[index] !== undefined
    const indexes = fields.map((_, index) => index)
    const column = indexes.find((index) => index < select.length && usable(index)) ?? indexes.find(usable) ?? -1
    const filterField = column >= 0 ? fields[column] : undefined
    const filterValue = filterField !== undefined ? preview[0]?.[column] : undefined
    const filter = filterField !== undefined ? { [`=${filterField.code}`]: String(filterValue) } : undefined
    const limit = 5
    const name = `${table}: select ${select.length}${filter !== undefined ? `, filter ${filterField?.code}` : ''}, limit ${limit}`
    const selected = await call(name, paths.data, { connection, table, select, ...(filter !== undefined ? { filter } : {}), limit })
    if (selected.step.status !== 200) return
    const rows = checkData(parseJson(selected.body, selected.step.violations), { header: select, types, limit, datetime }, selected.step.violations)
    selected.step.summary = count(rows.length, 'row')
    if (filterField === undefined) return
    if (rows.length === 0) selected.step.violations.push({ severity: 'error', message: `filter =${filterField.code} on a value from the preview found no rows` })
    const at = select.indexOf(filterField.code)
    const stray = at < 0 ? undefined : rows.find((row) => String(row[at]) !== String(filterValue))
    if (stray !== undefined) selected.step.violations.push({ severity: 'error', message: `filter =${filterField.code} ${JSON.stringify(filterValue)} returned ${JSON.stringify(stray[at])}` })
  }

  const all = steps.flatMap((step) => step.violations)
  const errors = all.filter((violation) => violation.severity === 'error').length
  return { baseUrl: base, ok: errors === 0, errors, warnings: all.length - errors, steps }
}
