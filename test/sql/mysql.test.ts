import t from 'tap'
import { MysqlAdapter } from '../../adapters/mysql/index.js'
import { mysqlDatabase, SERVER } from './mysql-fixture.js'
import { sqlAdapterSuite } from './suite.js'

const TOKEN = 'mysql-token-7e2d'

t.test('MySQL/MariaDB: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    dataset: true,
    name: 'mysql',
    open: async () => {
      const { database, drop } = await mysqlDatabase()
      const adapter = new MysqlAdapter({ url: `${SERVER}/${database}`, token: TOKEN, datasets: [{ name: 'small_ids', sql: 'SELECT id, title FROM fixture WHERE id <= 3' }],
        types: { fixture: { AMOUNT: 'money' } } })
      return { adapter, connection: { token: TOKEN }, cleanup: drop }
    }
  })
})
