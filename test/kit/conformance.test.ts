import t from 'tap'
import { conformance, runConformance, type CheckName, type ConformanceOptions } from '../../src/testing/index.js'
import {
  API_KEY, BadDateFormat, DifferentialMismatch, ExactNumberMangled, IgnoresFilter, IgnoresLimit, LeaksCanary,
  LeaksException, SAMPLE_FIXTURES, SampleAdapter, WrongHeaderOrder, ZoneShift
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
  ['leaks the canary secret', () => new LeaksCanary(), 'secrets', /leaks the canary secret.*log lines/],
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
