import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { installConfigFromEnv, installPluginOptions } from '../../../src/cli/install-setup.js'
import { openTokenStore } from '../../../src/cli/token-store-config.js'
import { POSTGRES, REDIS } from '../../helpers/services.js'

const tokens = { memberId: 'm1', domain: 'x.bitrix24.com', restEndpoint: 'https://x.bitrix24.com/rest/', accessToken: 'a', refreshToken: 'r' }

t.test('openTokenStore opens file, PostgreSQL and Redis stores from one string', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-store-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  for (const spec of [`file:${join(dir, 'a.json')}`, join(dir, 'b.json'), POSTGRES.url, REDIS.url]) {
    const { store, close } = await openTokenStore(spec)
    const memberId = `cli_${process.pid}_${Math.random()}`
    await store.set({ ...tokens, memberId })
    t.equal((await store.get(memberId))?.accessToken, 'a', spec.split(':')[0] ?? spec)
    await store.delete(memberId)
    await close()
  }
  await t.rejects(openTokenStore('mongodb://x'), { code: 'B24BI_ERR_CLI_USAGE', message: /unsupported token store 'mongodb:'/ })
})

t.test('the install flow is off without B24BI_CLIENT_ID and complete with it', async (t) => {
  t.equal(installConfigFromEnv({}), undefined)
  t.throws(() => installConfigFromEnv({ B24BI_CLIENT_ID: 'c' }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /B24BI_CLIENT_SECRET/ })
  t.throws(() => installConfigFromEnv({ B24BI_CLIENT_ID: 'c', B24BI_CLIENT_SECRET: 's' }), { message: /B24BI_PUBLIC_URL/ })
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-store-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const config = installConfigFromEnv({
    B24BI_CLIENT_ID: 'c', B24BI_CLIENT_SECRET: 's', B24BI_PUBLIC_URL: 'https://bi.example.com', B24BI_CONNECTOR_TITLE: 'Sales', B24BI_TOKEN_STORE: `file:${join(dir, 't.json')}`, B24BI_SINGLE_INSTANCE: 'yes'
  })
  t.match(config, { clientId: 'c', publicUrl: 'https://bi.example.com', title: 'Sales', singleInstance: true })
  await t.rejects(installPluginOptions({ ...config!, singleInstance: false }), { code: 'B24BI_ERR_TOKEN_STORE_NOT_SHARED' }, 'the file store needs singleInstance')
  const { options, close } = await installPluginOptions({ ...config!, sort: 5, supportMapping: true })
  t.match(options, { application: { clientId: 'c', clientSecret: 's' }, connector: { title: 'Sales', sort: 5, supportMapping: true } })
  await options.tokens.set(tokens)
  t.same(await options.tokens.list(), ['m1'])
  await close()
})

t.test('the install-time table sync is read from env and checked at start-up', async (t) => {
  const base = { B24BI_CLIENT_ID: 'c', B24BI_CLIENT_SECRET: 's', B24BI_PUBLIC_URL: 'https://bi.example.com' }
  t.equal(installConfigFromEnv(base)?.syncTables, undefined, 'off by default')
  t.same(installConfigFromEnv({ ...base, B24BI_SYNC_TABLES_SOURCE: 'Main', B24BI_SYNC_TABLES_SETTINGS: '{"token":"x"}', B24BI_SYNC_TABLES_PREFIX: 'wh_' })?.syncTables,
    { source: { title: 'Main', settings: { token: 'x' } }, prefix: 'wh_' })
  t.throws(() => installConfigFromEnv({ ...base, B24BI_SYNC_TABLES_SOURCE: 'Main', B24BI_SYNC_TABLES_SETTINGS: '{token' }), { message: /'B24BI_SYNC_TABLES_SETTINGS' is invalid: is not a JSON object/ })
  t.throws(() => installConfigFromEnv({ ...base, B24BI_SYNC_TABLES_SOURCE: 'Main', B24BI_SYNC_TABLES_SETTINGS: '{"port":5432}' }), { message: /'install\.syncTables\.source\.settings\.port \(from B24BI_SYNC_TABLES_SETTINGS\)' is invalid: must be string/ })
})
