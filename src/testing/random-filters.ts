import fc from 'fast-check'
import { isTextType, type FieldInfo } from '../core/field-types.js'
import type { ExactValue } from '../util/exact-json.js'
import { valueText } from './kit-context.js'
import { ORDERED_OPS, TEXT_OPS, type Filter } from './filter-operators.js'

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

/** What a run of random filters found: the first mismatch (with the seed that replays it), or none. */
export interface RandomFiltersResult {
  failed: boolean
  seed: number
  failure: string | undefined
}

/**
 * Draws `runs` random filters from the sample and asks `compare` about each (undefined: the same rows), stopping
 * at the first mismatch. Loaded only when the differential check runs: fast-check is an optional peer dependency.
 */
export async function runRandomFilters (fields: readonly FieldInfo[], rows: readonly ExactValue[][], options: { runs: number, seed: number | undefined },
  compare: (filter: Filter) => Promise<string | undefined>): Promise<RandomFiltersResult> {
  let failure: string | undefined
  const result = await fc.check(fc.asyncProperty(filterArbitrary(fields, rows), async (filter) => {
    const problem = await compare(filter)
    if (problem !== undefined) failure = `filter ${JSON.stringify(filter)}: ${problem}`
    return problem === undefined
  }), { numRuns: options.runs, seed: options.seed, endOnFailure: true })
  return { failed: result.failed, seed: result.seed, failure: failure ?? (result.failed ? String(result.errorInstance) : undefined) }
}
