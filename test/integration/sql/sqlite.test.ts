import t from 'tap'
import { SqliteAdapter } from '../../../adapters/sqlite/index.js'
import { sqliteFile } from '../../helpers/sql/sqlite-fixture.js'
import { sqlAdapterSuite } from '../../helpers/sql/suite.js'

const TOKEN = 'sqlite-token-3b9f'

t.test('SQLite: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    dataset: true,
    name: 'sqlite',
    exactDecimals: false,
    open: async () => {
      const { path, remove } = await sqliteFile()
      const adapter = new SqliteAdapter({
        url: path,
        token: TOKEN,
        datasets: [{ name: 'small_ids', sql: 'SELECT id, title FROM fixture WHERE id <= 3' }],
        types: { fixture: { AMOUNT: 'money' }, exact_values: { AMOUNT: 'money' }, edge_values: { ZONE: 'timezone' } }
      })
      return { adapter, connection: { token: TOKEN }, cleanup: remove }
    }
  })
})
