import t from 'tap'
import { conformance } from 'b24bi/testing'
import { ExchangeRatesAdapter } from '../exchange-rates-adapter.js'
import { RATES_API_KEY, startRatesApi } from '../rates-api.js'

t.test('the exchange-rates adapter speaks the protocol', async (t) => {
  const api = await startRatesApi()
  t.teardown(() => api.app.close())
  const report = await conformance(t, {
    adapter: new ExchangeRatesAdapter({ baseUrl: api.url }),
    connection: { apiKey: RATES_API_KEY },
    sample: { table: 'rates' }
  })
  t.equal(report.failures.length, 0)
})
