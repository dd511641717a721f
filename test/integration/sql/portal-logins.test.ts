import t from 'tap'
import { MysqlAdapter } from '../../../adapters/mysql/index.js'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { buildServer } from '../../../src/server/index.js'
import { MYSQL, POSTGRES } from '../../helpers/services.js'

// Portal mode, where the connection settings are the caller's: refused logins are counted per database host, and
// equivalent spellings of one database are one credential (test/unit/runtime/auth-failures.test.ts: per address).
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
  const app = await buildServer({ adapter, logger: false, rateLimit: { max: 4, windowSeconds: 600 } })
  t.teardown(() => app.close())
  const base = { database: POSTGRES.database, user: POSTGRES.user, password: POSTGRES.password }
  const spellings = [
    { ...base, host: POSTGRES.host, port: POSTGRES.port },
    { ...base, host: POSTGRES.host, port: `0${POSTGRES.port}` },
    { ...base, host: ` ${POSTGRES.host}`, port: `00${POSTGRES.port} ` },
    { ...base, host: `${POSTGRES.host} `, port: `+${POSTGRES.port}` },
    { ...base, host: POSTGRES.host } // the default port: the same pool (a rate-limit allowance of its own)
  ]
  for (const connection of spellings) {
    const answer = await app.inject({ method: 'POST', url: '/api/check', payload: { connection } })
    t.equal(answer.statusCode, 200, JSON.stringify(connection))
  }
  t.equal(adapter.poolCount, 1, 'port=5432, 05432, \' 005432 \', +5432 and no port share one pool')
  const sixth = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { ...base, host: POSTGRES.host, port: `000${POSTGRES.port}` } } })
  t.equal(sixth.statusCode, 429, 'and one rate-limit allowance')
  const upper = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { ...base, host: 'LOCALHOST.', port: POSTGRES.port } } })
  const lower = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { ...base, host: 'localhost', port: POSTGRES.port } } })
  t.equal(upper.statusCode, 200)
  t.equal(lower.statusCode, 200)
  t.equal(adapter.poolCount, 2, 'LOCALHOST. and localhost are one host (a second pool only for the other name)')
})
