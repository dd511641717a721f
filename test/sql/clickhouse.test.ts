import t from 'tap'
import { ClickHouseAdapter } from '../../adapters/clickhouse/index.js'
import { CLICKHOUSE_URL, clickhouseDatabase } from './clickhouse-fixture.js'
import { sqlAdapterSuite } from './suite.js'

const TOKEN = 'ch-token-8d4e'

t.test('ClickHouse: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    dataset: true,
    name: 'clickhouse',
    open: async () => {
      const { database, drop } = await clickhouseDatabase()
      const adapter = new ClickHouseAdapter({ url: `${CLICKHOUSE_URL}/${database}`, token: TOKEN, datasets: [{ name: 'small_ids', sql: 'SELECT id, title FROM fixture WHERE id <= 3' }],
        types: { fixture: { AMOUNT: 'money' } } })
      return { adapter, connection: { token: TOKEN }, cleanup: drop }
    }
  })
})
