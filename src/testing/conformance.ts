import { checkDifferentialFilters } from './differential-filters.js'
import { checkFixtures, checkZoneInvariance } from './fixture-checks.js'
import { type CheckName, type ConformanceOptions, type Finding, KitContext, type Measurements } from './kit-context.js'
import { checkLoad } from './load-checks.js'
import { ObservedAdapter } from './observed-adapter.js'
import { checkAuthentication, checkDescriptions, checkTableList, checkTypes } from './protocol-checks.js'
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
  if (table === undefined) return
  const fields = await kit.fields(table)
  const read = await kit.read({ table })
  if (fields === undefined || typeof read === 'string') {
    kit.report('types', false, `the sample table '${table}' read whole ${typeof read === 'string' ? read : 'has no description'}`)
    return
  }
  const maxRows = kit.options.sample?.maxRows ?? DEFAULT_SAMPLE_MAX_ROWS
  if (read.rows.length > maxRows) {
    kit.report('differential', false, `the sample table '${table}' has ${read.rows.length} rows, more than sample.maxRows (${maxRows}): choose a smaller sample table`)
    return
  }
  kit.reference = { fields, read }
}

const STEPS: Array<[CheckName[], (kit: KitContext) => Promise<void> | void]> = [
  [['check', 'auth'], checkAuthentication],
  [['list', 'search'], checkTableList],
  [['describe'], checkDescriptions],
  [['types'], checkTypes],
  [[], loadReference],
  [['select-order'], checkSelectOrder],
  [['limit'], checkLimit],
  [['filter'], checkFilterApplied],
  [['differential'], checkDifferentialFilters],
  [['bad-input'], checkBadInput],
  [['exact-numbers', 'time-zones'], checkFixtures],
  [['time-zones'], checkZoneInvariance],
  [['throughput', 'memory'], checkLoad],
  [['secrets'], checkSecrets]
]

/**
 * Runs the protocol suite against a real connector server built around `options.adapter` and returns every
 * finding: check, list, search, describe, types and formats, select order, limit, filters (fixed and
 * differential), bad input, secrets in answers and logs, throughput and memory, exact numbers and time zones.
 * The adapter is closed at the end. Use {@link conformance} from a tap test.
 */
export async function runConformance (options: ConformanceOptions): Promise<ConformanceReport> {
  const observed = new ObservedAdapter(options.adapter)
  const kit = new KitContext(options, observed)
  const skip = new Set(options.skip ?? [])
  try {
    kit.server = await kit.startServer()
    for (const [checks, step] of STEPS) {
      if (checks.length > 0 && checks.every((check) => skip.has(check))) continue
      try {
        await step(kit)
      } catch (error) {
        kit.report(checks[0] ?? 'types', false, `the ${checks.join('/') || 'sample'} check threw: ${(error as Error)?.stack ?? String(error)}`)
      }
    }
  } finally {
    await kit.close()
    await observed.closeInner()
  }
  const findings = kit.findings.filter((finding) => !skip.has(finding.check))
  return { findings, failures: findings.filter((finding) => !finding.ok), measurements: kit.measurements }
}

/** The part of a tap test object the kit uses. */
export interface TapLike {
  ok: (value: unknown, message: string) => unknown
  comment: (...message: unknown[]) => unknown
}

/**
 * The conformance kit for a tap test: runs {@link runConformance} and asserts every finding.
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
  for (const finding of report.findings) t.ok(finding.ok, `${finding.check}: ${finding.message}`)
  const { largeReadRows, rowsPerSecond, rssGrowthMb } = report.measurements
  if (rowsPerSecond !== undefined) t.comment(`large read: ${largeReadRows} rows, ${rowsPerSecond} rows/s, RSS growth ${rssGrowthMb} MiB`)
  return report
}
