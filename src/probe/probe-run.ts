import { filterDateRange, filterGroupsOnly, filterNegatedList } from './filter-steps.js'
import { checkConnection, checkWrongConnection, listTables, searchTables } from './list-steps.js'
import { ProbeContext, type ProbedTable, type ProbeOptions, type ProbeReport } from './probe-context.js'
import { describeTable, previewTable, selectFromTable } from './table-steps.js'

export type { ProbeOptions, ProbeReport, ProbeStep } from './probe-context.js'

/** What a table step needs from the steps before it. */
type Need = 'description' | 'preview'

/** The steps after the check (which comes first, alone), in order. */
const STEPS: ReadonlyArray<(probe: ProbeContext) => Promise<void>> = [checkWrongConnection, listTables, searchTables]

/** The steps run for every listed table, in order, each with what it needs. */
const TABLE_STEPS: ReadonlyArray<[name: string, needs: Need | undefined, step: (probe: ProbeContext, table: ProbedTable) => Promise<void>]> = [
  ['description', undefined, describeTable],
  ['preview', 'description', previewTable],
  ['select, filter, limit', 'preview', selectFromTable],
  ['filter, groups only', 'preview', filterGroupsOnly],
  ['filter, date range', 'preview', filterDateRange],
  ['filter, negated comparison', 'preview', filterNegatedList]
]

function missing (table: ProbedTable, need: Need | undefined): string | undefined {
  if (need !== undefined && table.fields.length === 0) return 'the description failed'
  if (need === 'preview' && table.preview === undefined) return 'the preview failed'
  return undefined
}

/**
 * Plays the portal against a connector: every endpoint, encoded as the portal encodes, every answer read whole,
 * timed and checked as the portal checks it. A step whose prerequisite failed is reported as not run, with why.
 */
export async function probe (options: ProbeOptions): Promise<ProbeReport> {
  const context = new ProbeContext(options)
  try {
    await checkConnection(context)
    // No answer at all to the first call (refused, DNS, certificate, timeout): every other call would fail the same way.
    if (context.unanswered !== undefined) {
      context.notRun('every other call', `the connector did not answer the check: ${context.unanswered}`)
      return context.report()
    }
    for (const step of STEPS) await step(context)
    for (const table of context.tables) {
      for (const [name, needs, step] of TABLE_STEPS) {
        const why = missing(table, needs)
        if (why === undefined) await step(context, table)
        else context.notRun(`${table.code}: ${name}`, why)
      }
    }
    return context.report()
  } finally {
    await context.close()
  }
}
