import t from 'tap'
import { createDemoAdapter } from '../../../src/cli/demo.js'
import { conformance } from '../../../src/testing/index.js'

const TOKEN = 'files-kit-token-31c7'

t.test('the demo files adapter passes the conformance kit', async (t) => {
  const adapter = await createDemoAdapter({ token: TOKEN })
  const report = await conformance(t, {
    adapter,
    connection: { token: TOKEN },
    secrets: [TOKEN],
    sample: { table: 'companies', seed: 11 },
    load: { table: 'deals' },
    fixtures: [
      { table: 'exact_values', field: 'BIG_INT', values: ['9223372036854775807', '-9223372036854775808', '9007199254740993'] },
      { table: 'exact_values', field: 'AMOUNT', values: ['12345678901234567.89'] },
      { table: 'exact_values', field: 'LOCAL_TIME', values: ['2026-03-29 02:30:00', '2026-10-25 02:30:00'], timeZone: 'Europe/Berlin' },
      { table: 'exact_values', field: 'EVENT_TIME', values: ['2026-03-29 01:30:00', '2026-10-25 02:30:00'], timeZone: 'Europe/Berlin' }
    ]
  })
  t.equal(report.measurements.largeReadRows, 120_000)
})
