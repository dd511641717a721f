import { randomBytes } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { loadConfig } from '../../../src/cli/config.js'
import { createConfiguredAdapter } from '../../../src/cli/commands/serve.js'
import { buildServer } from '../../../src/server/index.js'
import { POSTGRES } from '../../helpers/services.js'
import { URL } from '../../helpers/sql/postgres-fixture.js'

t.test('a revoked login is refused at the next check although a warm pool logged in before (fresh connection)', async (t) => {
  const role = `b24bi_revoke_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client(URL)
  await admin.connect()
  await admin.query(`CREATE ROLE ${role} LOGIN`)
  t.teardown(async () => {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role])
    await admin.query(`DROP ROLE ${role}`)
    await admin.end()
  })
  const adapter = new PostgresAdapter({ portal: { allowHosts: [POSTGRES.host] } })
  const app = await buildServer({ adapter, logger: false, runtime: { authCacheSeconds: 0 } })
  t.teardown(() => app.close())
  const connection = { host: POSTGRES.host, port: POSTGRES.port, database: POSTGRES.database, user: role }
  const call = async (url: string): Promise<number> => (await app.inject({ method: 'POST', url, payload: { connection } })).statusCode
  t.equal(await call('/api/check'), 200)
  t.equal(await call('/api/table_list'), 200, 'the pool is warm')
  await admin.query(`ALTER ROLE ${role} NOLOGIN`)
  t.equal(await call('/api/check'), 401, 'refused: the check logs in anew')
  t.equal(await call('/api/table_list'), 401, 'and stays refused')
})

t.test('CONNECTOR_TOKENS: every listed token is accepted beside CONNECTOR_TOKEN (rotation without downtime)', async (t) => {
  const env = {
    B24BI_ADAPTER: 'postgres',
    B24BI_ADAPTER_OPTIONS: JSON.stringify({ url: URL, exposure: { schemas: { allow: ['b24bi_tokens_none'] } } }),
    CONNECTOR_TOKEN: 'current-token-1',
    CONNECTOR_TOKENS: 'next-token-22, older-token-333'
  }
  const config = loadConfig({ env })
  t.same(config.adapter.tokens, ['next-token-22', 'older-token-333'])
  const adapter = await createConfiguredAdapter(config.adapter)
  const app = await buildServer({ adapter, logger: false })
  t.teardown(() => app.close())
  for (const [token, status] of [['current-token-1', 200], ['next-token-22', 200], ['older-token-333', 200], ['unknown-token-4', 401]] as const) {
    const answer = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { token } } })
    t.equal(answer.statusCode, status, token)
  }
  t.throws(() => new PostgresAdapter({ url: URL, tokens: ['short'] }), { code: 'B24BI_ERR_CONFIG_INVALID' })
  t.ok(new PostgresAdapter({ url: URL, tokens: ['only-a-list-9'] }), 'a list alone is enough')
})
