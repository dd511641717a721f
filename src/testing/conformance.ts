import { checkDifferentialFilters, loadRandomFilters } from './differential-filters.js'
import { checkFixtures, checkZoneInvariance } from './fixture-checks.js'
import { type CheckName, type ConformanceOptions, type Finding, KitContext, type KitNeed, type Measurements } from './kit-context.js'
import { checkLoad } from './load-checks.js'
import { ObservedAdapter } from './observed-adapter.js'
import { checkAuthentication, checkDescriptions, checkListAndSearch, checkTypes } from './protocol-checks.js'
import { checkBadInput, checkFilterApplied, checkLimit, checkSelectOrder } from './read-checks.js'
import { checkSecrets } from './secret-checks.js'

/** What a kit run found. */
export interface ConformanceReport {
  /** Every check made, passed or failed. */
  findings: Finding[]
  /** The failed ones. */
  failures: Finding[]
  measurements: Measurements
}

const DEFAULT_SAMPLE_MAX_ROWS = 20_000

async function loadReference (kit: KitContext): Promise<void> {
  const table = kit.options.sample?.table ?? kit.tables[0]
  kit.sampleTable = table
  if (table === undefined) {
    kit.unavailable('sample', `no sample table: sample.table is not set and ${kit.missing(['tables']) ?? 'the table list answered no table'}`)
    return
  }
  const fields = await kit.fields(table)
  const read = await kit.read({ table })
  if (fields === undefined || typeof read === 'string') {
    const problem = `the sample table '${table}' read whole ${typeof read === 'string' ? read : 'has no description'}`
    kit.report('types', false, problem)
    kit.unavailable('sample', problem)
    return
  }
  const maxRows = kit.options.sample?.maxRows ?? DEFAULT_SAMPLE_MAX_ROWS
  if (read.rows.length > maxRows) {
    const problem = `the sample table '${table}' has ${read.rows.length} rows, more than sample.maxRows (${maxRows}): choose a smaller sample table`
    kit.report('differential', false, problem)
    kit.unavailable('sample', problem)
    return
  }
  kit.reference = { fields, read }
}

/** One step of the kit: the checks it reports, what it needs from earlier steps, what it makes available to later ones. */
interface Step {
  checks: CheckName[]
  needs: KitNeed[]
  provides?: KitNeed
  run: (kit: KitContext) => Promise<void> | void
}

const STEPS: Step[] = [
  { checks: ['check', 'auth'], needs: [], run: checkAuthentication },
  { checks: ['list', 'search'], needs: [], provides: 'tables', run: checkListAndSearch },
  { checks: ['describe'], needs: ['tables'], run: checkDescriptions },
  { checks: ['types'], needs: ['tables'], run: checkTypes },
  { checks: [], needs: [], provides: 'sample', run: loadReference },
  { checks: ['select-order'], needs: ['sample'], run: checkSelectOrder },
  { checks: ['limit'], needs: ['sample'], run: checkLimit },
  { checks: ['filter'], needs: ['sample'], run: checkFilterApplied },
  { checks: ['differential'], needs: ['sample'], run: checkDifferentialFilters },
  { checks: ['bad-input'], needs: [], run: checkBadInput },
  { checks: ['exact-numbers', 'time-zones'], needs: [], run: checkFixtures },
  { checks: ['time-zones'], needs: ['sample'], run: checkZoneInvariance },
  { checks: ['throughput', 'memory'], needs: [], run: checkLoad },
  { checks: ['secrets'], needs: [], run: checkSecrets }
]

function stepName (step: Step): string {
  return step.checks.join('/') || step.provides || 'step'
}

/** Runs one step, or reports each of its checks as not run when a need is missing; a throw is a failure. */
async function runStep (kit: KitContext, step: Step, skip: ReadonlySet<CheckName>): Promise<void> {
  const skipped = step.checks.length > 0 && step.checks.every((check) => skip.has(check))
  const missing = skipped ? `the '${stepName(step)}' checks are skipped (options.skip)` : kit.missing(step.needs)
  if (missing !== undefined) {
    for (const check of step.checks) if (!skip.has(check)) kit.notRun(check, missing)
    if (step.provides !== undefined) kit.unavailable(step.provides, missing)
    return
  }
  try {
    await step.run(kit)
  } catch (error) {
    const problem = `the ${stepName(step)} check threw: ${(error as Error)?.stack ?? String(error)}`
    kit.report(step.checks[0] ?? 'types', false, problem)
    if (step.provides !== undefined) kit.unavailable(step.provides, problem)
  }
}

/**
 * Runs the protocol suite against a real connector server built around `options.adapter` and returns every
 * finding: check, list, search, describe, types and formats, select order, limit, filters (fixed and
 * differential), bad input, secrets in answers and logs, throughput and memory, exact numbers and time zones.
 * The adapter is closed at the end. Use {@link conformance} from a tap test.
 */
export async function runConformance (options: ConformanceOptions): Promise<ConformanceReport> {
  const skip = new Set(options.skip ?? [])
  // Before anything starts: without fast-check (an optional peer) the differential check cannot run.
  if (!skip.has('differential')) await loadRandomFilters()
  const observed = new ObservedAdapter(options.adapter)
  const kit = new KitContext(options, observed)
  try {
    kit.server = await kit.startServer()
    for (const step of STEPS) await runStep(kit, step, skip)
  } finally {
    await kit.close()
    await observed.closeInner()
  }
  const findings = kit.findings.filter((finding) => !skip.has(finding.check))
  return { findings, failures: findings.filter((finding) => !finding.ok), measurements: kit.measurements }
}

/** The part of a tap test object the kit uses. */
export interface TapLike {
  ok: (value: unknown, ...message: [string] | [string, { skip: string }]) => unknown
  comment: (...message: unknown[]) => unknown
}

/**
 * The conformance kit for a tap test: runs {@link runConformance} and asserts every finding; a check that could
 * not run is a skip line saying why.
 *
 * @example
 * import t from 'tap'
 * import { conformance } from 'b24bi/testing'
 * t.test('my adapter speaks the protocol', async (t) => {
 *   await conformance(t, { adapter: new MyAdapter(), connection: { token: 'a-long-secret' } })
 * })
 */
export async function conformance (t: TapLike, options: ConformanceOptions): Promise<ConformanceReport> {
  const report = await runConformance(options)
  for (const finding of report.findings) {
    // A check that could not run is a TAP skip line (`# SKIP not run: <why>`), never a silent pass.
    if (finding.notRun === true) t.ok(true, finding.check, { skip: finding.message })
    else t.ok(finding.ok, `${finding.check}: ${finding.message}`)
  }
  const { largeReadRows, rowsPerSecond, rssGrowthMb } = report.measurements
  if (rowsPerSecond !== undefined) t.comment(`large read: ${largeReadRows} rows, ${rowsPerSecond} rows/s, RSS growth ${rssGrowthMb} MiB`)
  return report
}
