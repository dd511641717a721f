import t from 'tap'
import { PostgresAdapter } from '../../adapters/postgres/index.js'
import { postgresSchema, URL } from './postgres-fixture.js'
import { sqlAdapterSuite } from './suite.js'

const TOKEN = 'pg-token-5a1c'

t.test('PostgreSQL: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    dataset: true,
    name: 'postgres',
    extraExactColumns: ['CASH'],
    open: async () => {
      const { schema, drop } = await postgresSchema()
      const adapter = new PostgresAdapter({
        url: URL, token: TOKEN, defaultSchema: schema, exposure: { schemas: { allow: [schema] } }, datasets: [{ name: 'small_ids', sql: `SELECT id, title FROM ${schema}.fixture WHERE id <= 3` }],
        types: { fixture: { AMOUNT: 'money' } }
      })
      return { adapter, connection: { token: TOKEN }, cleanup: drop }
    }
  })
})
