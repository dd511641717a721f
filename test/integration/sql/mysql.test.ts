import mysql from 'mysql2/promise'
import t from 'tap'
import { MysqlAdapter } from '../../../adapters/mysql/index.js'
import { buildServer } from '../../../src/server/index.js'
import { mysqlDatabase, SERVER } from '../../helpers/sql/mysql-fixture.js'
import { sqlAdapterSuite } from '../../helpers/sql/suite.js'

const TOKEN = 'mysql-token-7e2d'

t.test('MySQL/MariaDB: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    dataset: true,
    name: 'mysql',
    open: async () => {
      const { database, drop } = await mysqlDatabase()
      const adapter = new MysqlAdapter({
        url: `${SERVER}/${database}`,
        token: TOKEN,
        datasets: [{ name: 'small_ids', sql: 'SELECT id, title FROM fixture WHERE id <= 3' }],
        types: { fixture: { AMOUNT: 'money' }, edge_values: { ZONE: 'timezone' } }
      })
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

t.test('a JSON column filters on the same text it answers (MariaDB keeps the text as written, spaces and all)', async (t) => {
  const { database, drop } = await mysqlDatabase()
  t.teardown(drop)
  const client = await mysql.createConnection({ uri: SERVER })
  await client.query(`CREATE TABLE ${database}.json_values (id INT, meta JSON)`)
  await client.query(`INSERT INTO ${database}.json_values VALUES (1, '{"n": 1}'), (2, '{"n":10001, "tags": ["a", "b"]}'), (3, NULL)`)
  await client.end()
  const app = await buildServer({ adapter: new MysqlAdapter({ url: `${SERVER}/${database}`, token: TOKEN }), logger: false })
  t.teardown(() => app.close())
  const post = async (body: Record<string, unknown>): Promise<unknown[][]> => {
    const answer = await app.inject({ method: 'POST', url: '/api/data', payload: { connection: { token: TOKEN }, table: 'json_values', select: ['ID', 'META'], ...body } })
    t.equal(answer.statusCode, 200, answer.body)
    return answer.json() as unknown[][]
  }
  const rows = (await post({})).slice(1)
  t.same(rows, [[1, '{"n": 1}'], [2, '{"n":10001, "tags": ["a", "b"]}'], [3, null]], 'the answer shows the text as stored')
  for (const [id, text] of rows) {
    if (text === null) continue
    t.same((await post({ filter: { META: text } })).slice(1), [[id, text]], `=META on the answered ${String(text)}`)
    t.same((await post({ filter: { '%META': String(text).slice(1, 6) } })).slice(1).map((row) => row[0]), [id], `%META on a part of ${String(text)}`)
  }
  t.same((await post({ filter: { META: '{"n":1}' } })).slice(1), [], 'a text that is not the one answered matches nothing')
})
