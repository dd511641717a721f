import mysql from 'mysql2/promise'
import t from 'tap'
import { postForm } from '../../helpers/live-server.js'
import { MYSQL } from '../../helpers/services.js'
import { SERVER } from '../../helpers/sql/mysql-fixture.js'
import { serve } from './served.js'

// Finding 10: a MySQL read that stopped at its limit was treated as cancelled: a KILL QUERY connection was opened
// and the pooled one destroyed (10 limited reads cost 20 server connections). Against `b24bi serve` with MySQL in
// server mode, as a user of its own so the server's connection list tells this test's connections apart.
const USER = 'b24bi_attack_limit'
const DATABASE = 'b24bi_attack_limit'
const PASSWORD = 'attack-limit-pw-5f1a'
const TOKEN = 'mysql-limit-token-3c8e'

t.test('MySQL: reads that stop at their limit keep their pooled connection (no KILL, no new connection)', async (t) => {
  const root = await mysql.createConnection({ uri: SERVER })
  t.teardown(async () => {
    await root.query(`DROP USER IF EXISTS '${USER}'@'%'`)
    await root.query(`DROP DATABASE IF EXISTS ${DATABASE}`)
    await root.end()
  })
  await root.query(`DROP DATABASE IF EXISTS ${DATABASE}`)
  await root.query(`CREATE DATABASE ${DATABASE}`)
  await root.query(`CREATE TABLE ${DATABASE}.items (id INT PRIMARY KEY, title VARCHAR(50))`)
  await root.query(`INSERT INTO ${DATABASE}.items SELECT seq, CONCAT('item ', seq) FROM ${DATABASE}.seq_1_to_5000`)
  await root.query(`DROP USER IF EXISTS '${USER}'@'%'`)
  await root.query(`CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`)
  await root.query(`GRANT SELECT ON ${DATABASE}.* TO '${USER}'@'%'`)
  const threads = async (): Promise<number[]> => {
    const [rows] = await root.query(`SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '${USER}' ORDER BY ID`)
    return (rows as Array<{ ID: number }>).map(({ ID }) => Number(ID))
  }

  const server = await serve(t, {
    B24BI_ADAPTER: 'mysql',
    B24BI_ADAPTER_OPTIONS: JSON.stringify({ url: `mysql://${USER}:${PASSWORD}@${new URL(MYSQL.url).host}/${DATABASE}`, token: TOKEN })
  })
  const read = async (body: Record<string, unknown>): Promise<number> => {
    const answer = await postForm(`${server.url}/api/data`, { connection: { token: TOKEN }, table: 'items', select: ['ID'], ...body })
    t.equal(answer.status, 200, answer.body.slice(0, 100))
    return (JSON.parse(answer.body) as unknown[]).length - 1
  }
  t.equal(await read({ limit: 1 }), 1)
  const before = await threads()
  const counts: number[] = []
  for (let i = 0; i < 10; i++) counts.push(await read({ limit: i % 2 === 0 ? 1 : 5 }))
  const after = await threads()
  t.comment(`server threads of the connector's user: ${before.join(', ')} before 10 limited reads, ${after.join(', ')} after`)
  t.same(counts, [1, 5, 1, 5, 1, 5, 1, 5, 1, 5])
  t.equal(before.length, 1, 'the limited read left its connection in the pool')
  t.same(after, before, 'the same pooled connection served every read: none killed, none opened')
  t.equal(await read({}), 5000, 'a full read after them')
  t.notMatch(server.logs(), /KILL QUERY failed/, 'no KILL was attempted')
})
