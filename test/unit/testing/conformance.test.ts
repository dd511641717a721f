import t from 'tap'
import { conformance, runConformance, type CheckName, type ConformanceOptions } from '../../../src/testing/index.js'
import {
  API_KEY, BadDateFormat, CredentialInDriverMessage, DifferentialMismatch, ExactNumberMangled, IgnoresFilter, IgnoresLimit, LeaksCanary, LeaksCanaryInAnswer,
  LeaksException, SAMPLE_FIXTURES, SampleAdapter, SampleReadFails, WrongHeaderOrder, ZoneShift
} from './broken-adapters.js'

const base = (adapter: SampleAdapter): ConformanceOptions => ({
  adapter,
  connection: { apiKey: API_KEY },
  sample: { table: 'people', filterRuns: 60, seed: 42 },
  load: { table: 'big' },
  fixtures: SAMPLE_FIXTURES
})

t.test('a correct adapter passes every check', async (t) => {
  const report = await conformance(t, base(new SampleAdapter({ bigRows: 50_000 })))
  t.same(report.failures, [])
  t.same(report.findings.filter((finding) => finding.notRun === true), [], 'every check ran')
  const checks = new Set(report.findings.map((finding) => finding.check))
  for (const check of ['check', 'auth', 'list', 'search', 'describe', 'types', 'select-order', 'limit', 'filter', 'differential',
    'bad-input', 'secrets', 'throughput', 'memory', 'exact-numbers', 'time-zones'] as const) {
    t.ok(checks.has(check), `the kit ran '${check}'`)
  }
  t.equal(report.measurements.largeReadRows, 50_000, 'the large read counted every row')
})

const broken: Array<[string, () => SampleAdapter, CheckName, RegExp]> = [
  ['wrong header order', () => new WrongHeaderOrder(), 'select-order', /wrong header order/],
  ['bad date format', () => new BadDateFormat(), 'types', /BIRTHDAY.*bad date format/],
  ['ignores limit', () => new IgnoresLimit(), 'limit', /ignores limit/],
  ['ignores filter', () => new IgnoresFilter(), 'filter', /ignores filter/],
  ['leaks an exception message', () => new LeaksException(), 'bad-input', /leaks an exception message.*(a file path|a system error)/],
  ['leaks the canary secret in a log line', () => new LeaksCanary(), 'secrets', /leaks the canary secret.*log lines/],
  ['leaks the canary secret in an answer', () => new LeaksCanaryInAnswer(), 'secrets', /leaks the canary secret.*answers/],
  ['differential filter mismatch', () => new DifferentialMismatch(), 'differential', /differential filter mismatch.*>/],
  ['exact number mangled through a double', () => new ExactNumberMangled(), 'exact-numbers', /exact number mangled.*9223372036854775807/],
  ['zone shift', () => new ZoneShift(), 'time-zones', /zone shift.*EVENT/]
]

for (const [name, make, check, message] of broken) {
  t.test(`the kit fails an adapter that ${name}`, async (t) => {
    const report = await runConformance({ ...base(make()), skip: ['throughput', 'memory'] })
    const named = report.failures.filter((finding) => finding.check === check && message.test(finding.message))
    t.ok(named.length > 0, `a '${check}' failure names the problem`, { failures: report.failures })
  })
}

t.test('a wrong threshold fails the throughput and memory checks with the numbers', async (t) => {
  const report = await runConformance({
    ...base(new SampleAdapter({ bigRows: 5_000 })),
    skip: ['differential'],
    thresholds: { minRowsPerSecond: Number.MAX_SAFE_INTEGER, maxRssGrowthMb: -1 }
  })
  t.match(report.failures.find((finding) => finding.check === 'throughput')?.message, /5000 rows at \d+ rows\/s/)
  t.match(report.failures.find((finding) => finding.check === 'memory')?.message, /RSS growth .* MiB/)
})

t.test('a failed sample read: every check that needs it is listed as not run with the reason', async (t) => {
  const report = await runConformance({ ...base(new SampleReadFails()), skip: ['throughput', 'memory'] })
  t.ok(report.failures.some((finding) => finding.check === 'types' && /the sample table 'people' read whole answered 502/.test(finding.message)),
    'the failed read itself fails')
  for (const check of ['select-order', 'limit', 'filter', 'differential', 'time-zones'] as const) {
    const notRun = report.findings.filter((finding) => finding.check === check && finding.notRun === true)
    t.equal(notRun.length, 1, `'${check}' is listed once as not run`)
    t.match(notRun[0], { ok: true, message: /^not run: the sample table 'people' read whole answered 502/ }, `'${check}' names the reason`)
  }
  t.notOk(report.findings.some((finding) => finding.check === 'throughput' || finding.check === 'memory'), 'skipped checks are not listed')
})

t.test('skipping the table list lists describe and types as not run instead of dropping them', async (t) => {
  const report = await runConformance({ ...base(new SampleAdapter()), skip: ['list', 'search', 'throughput', 'memory', 'differential'] })
  for (const check of ['describe', 'types'] as const) {
    t.match(report.findings.filter((finding) => finding.check === check), [{ notRun: true, message: /^not run: the 'list\/search' checks are skipped/ }],
      `'${check}' is not run because the list was skipped`)
  }
  t.ok(report.findings.some((finding) => finding.check === 'limit' && finding.notRun !== true), 'the read checks still run on the configured sample table')
})

t.test('conformance() writes a skip line for a check that did not run', async (t) => {
  const lines: Array<{ ok: unknown, message: string, skip?: string }> = []
  const tap = {
    ok: (ok: unknown, ...rest: [string] | [string, { skip: string }]) => lines.push({ ok, message: rest[0], skip: rest[1]?.skip }),
    comment: () => {}
  }
  await conformance(tap, { ...base(new SampleReadFails()), skip: ['throughput', 'memory', 'differential'] })
  t.match(lines.find((line) => line.message === 'limit'), { ok: true, skip: /^not run: the sample table 'people' read whole/ })
})

t.test('the kit logs errors through the server\'s own scrubbing serializers: a credential in a driver message is not a leak', async (t) => {
  const report = await runConformance({ ...base(new CredentialInDriverMessage()), skip: ['throughput', 'memory', 'differential'] })
  const leaks = report.failures.filter((finding) => finding.check === 'secrets')
  t.same(leaks, [], 'no secret found in the captured log lines')
})
