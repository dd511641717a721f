import { randomBytes } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { resolveSqlOptions } from '../../../adapters/sql/sql-options.js'
import { buildServer } from '../../../src/server/index.js'
import { POSTGRES } from '../../helpers/services.js'
import { URL } from '../../helpers/sql/postgres-fixture.js'
import { form } from '../../helpers/demo-server.js'

const TOKEN = 'budget-token-7c1e'

t.test('maxConnections is this replica\'s budget, split over the pools with the probe and a cancel kept apart', async (t) => {
  t.match(resolveSqlOptions({ url: URL, token: TOKEN, maxConnections: 10 }, 'postgres'), { maxPools: 1, poolSize: 8, maxConnections: 10 }, 'server mode: the pool gets all but the probe and a cancel')
  t.match(resolveSqlOptions({ url: URL, token: TOKEN, maxConnections: 10, poolSize: 4 }, 'postgres'), { maxPools: 1, poolSize: 4 }, 'a smaller pool size is kept')
  t.match(resolveSqlOptions({ portal: {}, maxConnections: 33 }, 'postgres'), { maxPools: 8, poolSize: 4 }, 'portal mode: (33 - 1 cancel) / 4 per pool = 8 pools')
  t.match(resolveSqlOptions({ portal: { maxPools: 3 }, maxConnections: 100 }, 'postgres'), { maxPools: 3, poolSize: 4 }, 'maxPools stays when it fits')
  t.match(resolveSqlOptions({ portal: {}, poolSize: 6, maxConnections: 4 }, 'postgres'), { maxPools: 1, poolSize: 3 }, 'a budget under one pool shrinks the pool')
  t.match(resolveSqlOptions({ url: URL, token: TOKEN }, 'postgres'), { poolSize: 4, maxConnections: Infinity }, 'no budget: as before')
  t.throws(() => resolveSqlOptions({ url: URL, token: TOKEN, maxConnections: 2 }, 'postgres'), { code: 'B24BI_ERR_CONFIG_INVALID', message: /maxConnections/ })
})

t.test('a pool wait that runs out is 503 B24BI_ERR_SOURCE_BUSY with Retry-After, never a 502', async (t) => {
  const marker = `budget_${randomBytes(4).toString('hex')}`
  const adapter = new PostgresAdapter({
    url: URL,
    token: TOKEN,
    poolSize: 1,
    poolWaitSeconds: 0.3,
    batchSize: 1,
    exposure: { schemas: { allow: ['b24bi_budget_none'] } },
    datasets: [{ name: 'hold', sql: `SELECT n, '${marker}' AS m FROM generate_series(1, 200) AS n, LATERAL (SELECT pg_sleep(0.02) WHERE n > 0) AS s` }]
  })
  const app = await buildServer({ adapter, logger: false })
  t.teardown(() => app.close())
  const watcher = new pg.Client(URL)
  await watcher.connect()
  t.teardown(() => watcher.end())
  const holding = app.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: TOKEN }, table: 'hold' }) })
  for (let i = 0; i < 400; i++) {
    const { rowCount } = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()", [`%${marker}%`])
    if (rowCount !== null && rowCount > 0) break
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const refused = await app.inject({ method: 'POST', url: '/api/data', ...form({ connection: { token: TOKEN }, table: 'hold' }) })
  t.equal(refused.statusCode, 503)
  t.equal(refused.json().error, 'B24BI_ERR_SOURCE_BUSY')
  t.equal(refused.headers['retry-after'], '5')
  t.equal((await holding).statusCode, 200, 'the read holding the only connection finished')
})

t.test('PostgreSQL 53300 "too many connections" is 503 B24BI_ERR_SOURCE_BUSY with Retry-After', async (t) => {
  const role = `b24bi_busy_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client(URL)
  await admin.connect()
  await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`)
  const holder = new pg.Client({ host: POSTGRES.host, port: Number(POSTGRES.port), database: POSTGRES.database, user: role })
  await holder.connect()
  t.teardown(async () => {
    await holder.end()
    await admin.query(`DROP ROLE ${role}`)
    await admin.end()
  })
  const adapter = new PostgresAdapter({ portal: { allowHosts: [POSTGRES.host] } })
  const app = await buildServer({ adapter, logger: false, runtime: { authCacheSeconds: 0 } })
  t.teardown(() => app.close())
  const answer = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { host: POSTGRES.host, port: POSTGRES.port, database: POSTGRES.database, user: role } } })
  t.equal(answer.statusCode, 503)
  t.equal(answer.json().error, 'B24BI_ERR_SOURCE_BUSY')
  t.equal(answer.headers['retry-after'], '5')
})
