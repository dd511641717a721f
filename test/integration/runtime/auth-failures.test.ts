import t from 'tap'
import { MysqlAdapter } from '../../../adapters/mysql/index.js'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { buildServer } from '../../../src/server/index.js'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'
import { MYSQL, POSTGRES } from '../../helpers/services.js'

t.test('wrong tokens from one address end in 429 AUTH_THROTTLED, whatever the token', async (t) => {
  const app = await demoServer({ runtime: { authFailures: { max: 5, windowSeconds: 600 } } })
  t.teardown(() => app.close())
  const check = async (token: string, remoteAddress = '203.0.113.7'): Promise<{ statusCode: number, headers: Record<string, unknown>, body: string }> =>
    await app.inject({ method: 'POST', url: '/api/check', remoteAddress, ...form({ connection: { token } }) })
  t.equal((await check(TOKEN)).statusCode, 200, 'a proven token first')
  const statuses: number[] = []
  for (let i = 0; i < 20; i++) statuses.push((await check(`guess-${i}`)).statusCode)
  t.same(statuses.slice(0, 5), [401, 401, 401, 401, 401])
  t.ok(statuses.slice(5).every((status) => status === 429), 'every later guess is 429')
  const limited = await check('guess-x')
  t.match(JSON.parse(limited.body), { error: 'B24BI_ERR_AUTH_THROTTLED', message: /retry in \d+ seconds/ })
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After')
  t.equal((await check(TOKEN)).statusCode, 200, 'a credential already proven keeps working from that address')
  t.equal((await check('guess-other', '198.51.100.9')).statusCode, 401, 'another address has its own allowance')
})

t.test('authFailures false turns the failure limit off', async (t) => {
  const app = await demoServer({ runtime: { authFailures: false } })
  t.teardown(() => app.close())
  for (let i = 0; i < 80; i++) {
    const answer = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: `guess-${i}` } }) })
    if (answer.statusCode !== 401) t.fail(`attempt ${i} answered ${answer.statusCode}`)
  }
  t.pass('80 refused attempts, no 429')
})

t.test('portal mode counts refused logins per target host, whichever address asks', async (t) => {
  const adapter = new MysqlAdapter({ portal: { allowHosts: [MYSQL.host] } })
  const app = await buildServer({ adapter, logger: false, runtime: { authCacheSeconds: 0, authFailures: { max: 3, windowSeconds: 600 } } })
  t.teardown(() => app.close())
  const statuses: number[] = []
  for (let i = 0; i < 6; i++) {
    const answer = await app.inject({
      method: 'POST',
      url: '/api/check',
      remoteAddress: `203.0.113.${i + 1}`,
      payload: { connection: { host: i % 2 === 0 ? MYSQL.host : ` ${MYSQL.host} `, port: MYSQL.port, database: 'mysql', user: MYSQL.user, password: `wrong-${i}` } }
    })
    statuses.push(answer.statusCode)
  }
  t.same(statuses, [401, 401, 401, 429, 429, 429], 'six addresses, one host: three guesses, then 429')
})

t.test('equivalent spellings of a setting are one credential: one pool, one rate-limit allowance', async (t) => {
  const adapter = new PostgresAdapter({ portal: { allowHosts: [POSTGRES.host, 'localhost'] } })
  const app = await buildServer({ adapter, logger: false, rateLimit: { max: 3, windowSeconds: 600 } })
  t.teardown(() => app.close())
  const base = { database: POSTGRES.database, user: POSTGRES.user, password: POSTGRES.password }
  const spellings = [
    { ...base, host: POSTGRES.host, port: POSTGRES.port },
    { ...base, host: POSTGRES.host, port: `0${POSTGRES.port}` },
    { ...base, host: ` ${POSTGRES.host}`, port: `00${POSTGRES.port} ` },
    { ...base, host: POSTGRES.host } // the default port: the same pool (a rate-limit allowance of its own)
  ]
  for (const connection of spellings) {
    const answer = await app.inject({ method: 'POST', url: '/api/check', payload: { connection } })
    t.equal(answer.statusCode, 200, JSON.stringify(connection))
  }
  t.equal(adapter.poolCount, 1, 'port=05432, port=5432 and no port share one pool')
  const fifth = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { ...base, host: POSTGRES.host, port: `000${POSTGRES.port}` } } })
  t.equal(fifth.statusCode, 429, 'and one rate-limit allowance')
  const upper = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { ...base, host: 'LOCALHOST.', port: POSTGRES.port } } })
  const lower = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { ...base, host: 'localhost', port: POSTGRES.port } } })
  t.equal(upper.statusCode, 200)
  t.equal(lower.statusCode, 200)
  t.equal(adapter.poolCount, 2, 'LOCALHOST. and localhost are one host (a second pool only for the other name)')
})
