import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import t, { type Test } from 'tap'
import { MysqlAdapter } from '../../../adapters/mysql/index.js'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { buildServer } from '../../../src/server/index.js'
import { eventually } from '../../helpers/eventually.js'
import { MYSQL, POSTGRES } from '../../helpers/services.js'
import { SERVER } from '../../helpers/sql/mysql-fixture.js'

const pgConnection = POSTGRES.connection

type Check = (connection: Record<string, string>) => Promise<{ statusCode: number, error?: string }>

/** A server for `adapter` (closed with the test, which closes the adapter) and a function posting urlCheck to it. */
async function serve (t: Test, adapter: PostgresAdapter | MysqlAdapter): Promise<Check> {
  const app = await buildServer({ adapter, logger: false, runtime: { authCacheSeconds: 0 } })
  t.teardown(() => app.close())
  return async (connection) => {
    const answer = await app.inject({ method: 'POST', url: '/api/check', payload: { connection } })
    return { statusCode: answer.statusCode, error: answer.statusCode === 200 ? undefined : (answer.json() as { error: string }).error }
  }
}

t.test('portal mode declares host, port, database, user and password', async (t) => {
  const adapter = new PostgresAdapter({ portal: {} })
  t.same(adapter.settings.map((setting) => [setting.code, setting.type]), [['host', 'STRING'], ['port', 'INT'], ['database', 'STRING'], ['user', 'STRING'], ['password', 'STRING']])
  t.ok(adapter.settings.find((setting) => setting.code === 'password')?.secret, 'the password is a secret')
})

t.test('portal mode refuses loopback, private and link-local hosts by default', async (t) => {
  const adapter = new PostgresAdapter({ portal: {} })
  const check = await serve(t, adapter)
  for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '10.0.0.5', '192.168.1.1', '169.254.169.254', '::ffff:127.0.0.1', '0.0.0.0']) {
    const answer = await check({ ...pgConnection, host })
    t.same(answer, { statusCode: 403, error: 'B24BI_ERR_HOST_REFUSED' }, `${host} is refused`)
  }
  t.equal(adapter.poolCount, 0, 'no pool was opened for a refused host')
})

t.test('allowHosts permits a loopback address', async (t) => {
  const adapter = new PostgresAdapter({ portal: { allowHosts: [POSTGRES.host] } })
  const check = await serve(t, adapter)
  t.same(await check(pgConnection), { statusCode: 200, error: undefined })
  t.same(await check({ ...pgConnection, host: '127.0.0.2' }), { statusCode: 403, error: 'B24BI_ERR_HOST_REFUSED' }, 'only what is listed')
})

t.test('50 distinct credential sets keep the pool count under the cap', async (t) => {
  const maxPools = 5
  const adapter = new PostgresAdapter({ portal: { allowHosts: ['127.0.0.0/8'], maxPools } })
  const check = await serve(t, adapter)
  let most = 0
  for (let index = 0; index < 50; index++) {
    // Trust authentication accepts any password: each one is a distinct credential set with its own pool.
    const answer = await check({ ...pgConnection, password: `password-${index}` })
    t.equal(answer.statusCode, 200)
    most = Math.max(most, adapter.poolCount)
  }
  t.equal(most, maxPools, `never more than ${maxPools} pools`)
  await adapter.close()
  t.equal(adapter.poolCount, 0, 'close ends every pool')
})

t.test('an idle pool is closed', async (t) => {
  const adapter = new PostgresAdapter({ portal: { allowHosts: [POSTGRES.host], idleSeconds: 0.2 } })
  const check = await serve(t, adapter)
  t.equal((await check(pgConnection)).statusCode, 200)
  t.equal(adapter.poolCount, 1)
  t.ok(await eventually(async () => adapter.poolCount === 0, 20_000), 'the idle pool was evicted')
  t.equal((await check(pgConnection)).statusCode, 200, 'and is opened again when needed')
})

t.test('MariaDB in portal mode: a wrong password answers 401, the right one reads', async (t) => {
  const user = `b24bi_u_${randomBytes(4).toString('hex')}`
  const password = randomBytes(12).toString('hex')
  const root = await mysql.createConnection({ uri: SERVER })
  await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`)
  await root.query(`GRANT SELECT ON ${MYSQL.database}.* TO '${user}'@'%'`)
  t.teardown(async () => {
    await root.query(`DROP USER '${user}'@'%'`)
    await root.end()
  })
  const adapter = new MysqlAdapter({ portal: { allowHosts: [MYSQL.host] } })
  const check = await serve(t, adapter)
  const connection = { ...MYSQL.connection, user, password }
  t.same(await check({ ...connection, password: 'wrong-password' }), { statusCode: 401, error: 'B24BI_ERR_AUTH_REJECTED' })
  t.same(await check(connection), { statusCode: 200, error: undefined })
  const app = await buildServer({ adapter: new MysqlAdapter({ portal: { allowHosts: [MYSQL.host] } }), logger: false })
  t.teardown(() => app.close())
  const list = await app.inject({ method: 'POST', url: '/api/table_list', payload: { connection } })
  t.equal(list.statusCode, 200, list.body)
  t.notMatch(list.body, password, 'the password never appears in an answer')
})
