import mysql from 'mysql2/promise'
import t from 'tap'
import { MysqlAdapter } from '../../adapters/mysql/index.js'
import { buildServer } from '../../src/server/index.js'
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

t.test('MySQL BIGINT UNSIGNED is declared string (the portal reads ints as signed 64-bit), filtered exactly as text', async (t) => {
  const { database, drop } = await mysqlDatabase()
  t.teardown(drop)
  const client = await mysql.createConnection({ uri: SERVER })
  await client.query(`CREATE TABLE ${database}.unsigned_values (id INT, u64 BIGINT UNSIGNED, u32 INT UNSIGNED)`)
  await client.query(`INSERT INTO ${database}.unsigned_values VALUES (1, 18446744073709551615, 4294967295), (2, 9223372036854775808, 0), (3, 7, 7)`)
  await client.end()
  const app = await buildServer({ adapter: new MysqlAdapter({ url: `${SERVER}/${database}`, token: TOKEN }), logger: false })
  t.teardown(() => app.close())
  const post = async (url: string, body: Record<string, unknown>) =>
    await app.inject({ method: 'POST', url, payload: { connection: { token: TOKEN }, table: 'unsigned_values', ...body } })
  const described = await post('/api/table_description', {})
  t.same((described.json() as Array<{ code: string, type: string }>).map((field) => [field.code, field.type]), [['ID', 'int'], ['U64', 'string'], ['U32', 'int']])
  const answer = await post('/api/data', { select: ['ID', 'U64', 'U32'], filter: { ID: '1' } })
  t.ok(answer.body.includes('[1,"18446744073709551615",4294967295]'), `above 2^63-1 as a string: ${answer.body}`)
  const filtered = await post('/api/data', { select: ['ID'], filter: { U64: ['9223372036854775808', '7'] } })
  t.same((filtered.json() as number[][]).slice(1).map((row) => row[0]).sort(), [2, 3])
})
