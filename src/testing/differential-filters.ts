import fc from 'fast-check'
import { isTextType, type FieldInfo } from '../core/field-types.js'
import { compilePredicate } from '../filter/evaluate.js'
import { parseFilter } from '../filter/parse.js'
import { TimeZone } from '../core/time-zone.js'
import { JsonNumber, type ExactValue } from '../util/exact-json.js'
import { type KitContext, valueText } from './kit-context.js'
import { rowMultiset } from './protocol-checks.js'

type Filter = Record<string, unknown>

const ORDERED_OPS = ['', '!', '>', '>=', '<', '<=']
const TEXT_OPS = ['%', '!%']

function conditionArbitrary (field: FieldInfo, values: readonly string[]): fc.Arbitrary<[string, unknown]> {
  const value = values.length > 0 ? fc.constantFrom(...values) : fc.constant('0')
  const arbitraries: Array<fc.Arbitrary<[string, unknown]>> = [
    fc.tuple(fc.constantFrom(...ORDERED_OPS), value).map(([op, item]) => [`${op}${field.code}`, item]),
    fc.tuple(fc.constantFrom('', '!'), fc.uniqueArray(value, { minLength: 1, maxLength: 3 })).map(([op, items]) => [`${op}${field.code}`, items]),
    fc.constantFrom<[string, unknown]>([field.code, null], [`!${field.code}`, null])
  ]
  if (isTextType(field.type)) {
    const part = value.chain((text) => fc.nat(Math.max(0, text.length - 1)).map((start) => text.slice(start, start + 3)))
    arbitraries.push(fc.tuple(fc.constantFrom(...TEXT_OPS), part.filter((text) => text !== '')).map(([op, text]) => [`${op}${field.code}`, text]))
  } else {
    arbitraries.push(fc.tuple(fc.constantFrom('><', '!><'), value, value).map(([op, a, b]) => [`${op}${field.code}`, [a, b].sort()]))
  }
  return fc.oneof(...arbitraries)
}

/** Random portal filters over the sample's fields, values drawn from the sample rows. */
export function filterArbitrary (fields: readonly FieldInfo[], rows: readonly ExactValue[][]): fc.Arbitrary<Filter> {
  const conditions = fields.map((field, index) => {
    const values = [...new Set(rows.map((row) => row[index]).filter((item) => item !== null && item !== undefined).map(valueText))].slice(0, 50)
    return conditionArbitrary(field, values)
  })
  const condition = fc.oneof(...conditions)
  const group = fc.array(condition, { minLength: 1, maxLength: 3 }).map((items) => Object.fromEntries(items))
  return fc.oneof(
    group,
    group.map((items) => ({ ...items, LOGIC: 'OR' })),
    fc.tuple(condition, group).map(([first, nested]) => ({ [first[0]]: first[1], _or: { ...nested, LOGIC: 'OR' } }))
  )
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
  const arbitrary = filterArbitrary(reference.fields, reference.read.rows)
  let failure: string | undefined
  const result = await fc.check(fc.asyncProperty(arbitrary, async (filter) => {
    const problem = await compare(kit, filter)
    if (problem !== undefined) failure = `filter ${JSON.stringify(filter)}: ${problem}`
    return problem === undefined
  }), { numRuns: runs, seed: kit.options.sample?.seed, endOnFailure: true })
  kit.report('differential', !result.failed,
    result.failed
      ? `differential filter mismatch (seed ${result.seed}): ${failure ?? String(result.errorInstance)}`
      : `every operator on every field and ${runs} random filters answer the same rows as the in-memory evaluator over '${kit.sampleTable}'`)
}
