import { isTextType, type FieldInfo } from '../core/field-types.js'
import { compilePredicate } from '../filter/evaluate.js'
import { parseFilter } from '../filter/parse.js'
import { TimeZone } from '../core/time-zone.js'
import { loadDriver } from '../util/driver-load.js'
import { JsonNumber, type ExactValue } from '../util/exact-json.js'
import { ORDERED_OPS, TEXT_OPS, type Filter } from './filter-operators.js'
import { type KitContext, valueText } from './kit-context.js'
import { rowMultiset } from './protocol-checks.js'

/**
 * The random half of the check, loaded on first use: fast-check is an optional peer dependency, so a kit run
 * without it fails with B24BI_ERR_DRIVER_MISSING naming it (`runConformance` asks before it starts a server).
 */
export async function loadRandomFilters (): Promise<typeof import('./random-filters.js')> {
  return await loadDriver('fast-check', async () => await import('./random-filters.js'))
}

/** The rows `filter` keeps, by the in-memory evaluator over the reference rows; undefined when the filter is invalid. */
function expectedRows (kit: KitContext, filter: Filter): ExactValue[][] | undefined {
  const { fields, read } = kit.reference!
  const timeZone = new TimeZone(kit.options.runtime?.timeZone ?? 'UTC')
  let node
  try {
    node = parseFilter(filter, fields, { timeZone })
  } catch {
    return undefined
  }
  if (node === undefined) return read.rows
  const predicate = compilePredicate(node, (code) => fields.findIndex((field) => field.code === code), { timeZone })
  return read.rows.filter((row) => predicate(row.map((value) => value instanceof JsonNumber ? value.text : value)))
}

async function compare (kit: KitContext, filter: Filter): Promise<string | undefined> {
  const expected = expectedRows(kit, filter)
  const read = await kit.read({ table: kit.sampleTable, filter })
  if (expected === undefined) return typeof read === 'string' && read.startsWith('answered 400') ? undefined : 'the evaluator rejects it but the server did not answer 400'
  if (typeof read === 'string') return read
  const want = rowMultiset(expected)
  const got = rowMultiset(read.rows)
  if (JSON.stringify(want) === JSON.stringify(got)) return undefined
  const extra = got.find((row) => !want.includes(row))
  const missing = want.find((row) => !got.includes(row))
  return `the server answered ${got.length} rows, the evaluator keeps ${want.length}` +
    `${extra === undefined ? '' : `; extra: ${extra}`}${missing === undefined ? '' : `; missing: ${missing}`}`
}

/** One condition per field and operator, on a value from the middle of the field's values: every boundary once. */
function sweepFilters (fields: readonly FieldInfo[], rows: readonly ExactValue[][]): Filter[] {
  const filters: Filter[] = []
  fields.forEach((field, index) => {
    const values = [...new Set(rows.map((row) => row[index]).filter((item) => item !== null && item !== undefined).map(valueText))]
    const value = values[Math.floor(values.length / 2)]
    filters.push({ [field.code]: null }, { [`!${field.code}`]: null })
    if (value === undefined) return
    const ops = isTextType(field.type) ? [...ORDERED_OPS, ...TEXT_OPS] : [...ORDERED_OPS, '><', '!><']
    for (const op of ops) {
      const between = op === '><' || op === '!><'
      const operand = between ? [values[0]!, value].sort() : TEXT_OPS.includes(op) ? value.slice(0, 2) || value : value
      filters.push({ [`${op}${field.code}`]: operand })
    }
  })
  return filters
}

/**
 * Differential filter testing: every operator on every field once, then random filters through the server must answer the same rows as the in-memory
 * evaluator (`compilePredicate`) applied to the whole sample read without a filter.
 */
export async function checkDifferentialFilters (kit: KitContext): Promise<void> {
  const reference = kit.reference! // the step needs 'sample'
  for (const filter of sweepFilters(reference.fields, reference.read.rows)) {
    const problem = await compare(kit, filter)
    if (problem !== undefined) {
      kit.report('differential', false, `differential filter mismatch: filter ${JSON.stringify(filter)}: ${problem}`)
      return
    }
  }
  const runs = kit.options.sample?.filterRuns ?? 40
  const { runRandomFilters } = await loadRandomFilters()
  const result = await runRandomFilters(reference.fields, reference.read.rows, { runs, seed: kit.options.sample?.seed }, async (filter) => await compare(kit, filter))
  kit.report('differential', !result.failed,
    result.failed
      ? `differential filter mismatch (seed ${result.seed}): ${result.failure}`
      : `every operator on every field and ${runs} random filters answer the same rows as the in-memory evaluator over '${kit.sampleTable}'`)
}
