import { checkCheckAnswer, checkTableList, parseAnswer } from '../protocol/answer-checks.js'
import { count, type ProbeContext } from './probe-context.js'

/** urlCheck with the settings given: 200 and a non-empty body. */
export async function checkConnection (probe: ProbeContext): Promise<void> {
  const { step, body } = await probe.call('check', 'check', { connection: probe.connection })
  if (step.status === 200) step.violations.push(...checkCheckAnswer(step.status, body))
  step.summary = step.violations.length === 0 ? 'accepted' : 'refused'
}

/** urlCheck with every setting wrong: accepting it is a warning (is any connection allowed?). */
export async function checkWrongConnection (probe: ProbeContext): Promise<void> {
  const wrong = Object.fromEntries(Object.keys(probe.connection).map((key) => [key, `wrong-${key}`]))
  const { step } = await probe.call('check with wrong settings', 'check', { connection: wrong }, true)
  step.summary = step.status === 200 ? 'accepted' : `refused (HTTP ${step.status})`
  if (step.status === 200 && Object.keys(probe.connection).length > 0) {
    probe.warning(step, 'urlCheck accepts settings that should be wrong: is any connection allowed?')
  }
}

/** urlTableList with an empty search string, as the portal sends it: the tables the later steps probe. */
export async function listTables (probe: ProbeContext): Promise<void> {
  const { step, body } = await probe.call('table list', 'tableList', { searchString: '', connection: probe.connection })
  const tables = step.status === 200 ? checkTableList(parseAnswer(body, step.violations), step.violations) : []
  step.summary = count(tables.length, 'table')
  if (step.status === 200 && tables.length === 0) probe.warning(step, 'no tables: nothing to build a dataset from')
  probe.tables = tables.map((table) => ({ ...table, fields: [], types: new Map(), preview: undefined }))
}

/** urlTableList with the start of the first table's code: it must find that table. */
export async function searchTables (probe: ProbeContext): Promise<void> {
  const first = probe.tables[0]
  if (first === undefined) return probe.notRun('table list, search', 'no table listed')
  const search = first.code.slice(0, Math.max(1, Math.min(4, first.code.length)))
  const { step, body } = await probe.call(`table list, search '${search}'`, 'tableList', { searchString: search, connection: probe.connection })
  const found = step.status === 200 ? checkTableList(parseAnswer(body, step.violations), step.violations) : []
  step.summary = count(found.length, 'table')
  if (step.status === 200 && !found.some((table) => table.code === first.code)) probe.warning(step, `searching '${search}' does not find '${first.code}'`)
}
