import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { installPlugin, type InstallPluginOptions } from '../../../plugins/install.js'
import { Adapter } from '../../../src/core/adapter.js'
import { createDemoAdapter } from '../../../src/cli/demo.js'
import { buildServer } from '../../../src/server/index.js'
import type { FieldInfo, TableInfo } from '../../../src/core/field-types.js'
import { FileTokenStore } from '../../../src/bitrix/token-store/file-token-store.js'
import { runCli } from '../../helpers/cli-harness.js'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'

const TOKEN = 'e2e-token-51b2'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

/** A connector whose adapter answers values that do not match their declared types. */
class BrokenAdapter extends Adapter {
  override readonly settings = [{ code: 'token', name: 'Token', type: 'STRING' as const }]
  async listTables (): Promise<TableInfo[]> { return [{ code: 'orders', title: 'Orders' }] }
  async describeTable (): Promise<FieldInfo[]> { return [{ code: 'ID', type: 'int' }, { code: 'placed on', type: 'date' }] }
  async * readRows (): AsyncIterable<unknown[][]> { yield [[1, '2024-01-01'], ['not a number', 'yesterday']] }
}

async function startConnector (t: Test, adapter: Adapter, install?: { portal: FakePortal, tokens: string, syncTables?: InstallPluginOptions['syncTables'] }): Promise<string> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const app = await buildServer({ adapter, logger: false })
  if (install !== undefined) {
    await app.register(installPlugin, {
      tokens: new FileTokenStore(install.tokens),
      application: { clientId: install.portal.clientId, clientSecret: install.portal.clientSecret, server: install.portal.oauthServer, restServer: install.portal.oauthRestServer },
      connector: { title: 'b24bi demo', publicUrl: base, description: 'The embedded demo' },
      rest: { retryDelayMs: 1 },
      portals: { allowHosts: ['127.0.0.1'], allowHttp: true },
      ...(install.syncTables === undefined ? {} : { syncTables: install.syncTables })
    })
  }
  await app.listen({ host: '127.0.0.1', port })
  t.teardown(async () => await app.close())
  return base
}

t.test('install, reinstall, renew mid-way, add a source, register, probe, uninstall', async (t) => {
  const portal = await FakePortal.start()
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-e2e-'))
  t.teardown(async () => {
    await portal.close()
    await rm(dir, { recursive: true, force: true })
  })
  const tokens = join(dir, 'tokens.json')
  const base = await startConnector(t, await createDemoAdapter({ token: TOKEN }), { portal, tokens })
  const env = { B24BI_CLIENT_ID: portal.clientId, B24BI_CLIENT_SECRET: portal.clientSecret, B24BI_OAUTH_SERVER: portal.oauthServer, B24BI_TOKEN_STORE: `file:${tokens}` }

  const installed = await portal.install(`${base}/bitrix24/install`)
  t.equal(installed.status, 200, installed.body)
  t.match(JSON.parse(installed.body), { action: 'added', connectorId: 1 })
  t.match(portal.state.connectors.get(1), { title: 'b24bi demo', urlCheck: `${base}/api/check`, urlData: `${base}/api/data` })
  t.same(portal.state.connectors.get(1)?.settings, [{ code: 'token', name: 'Access token', type: 'STRING' }], "the served adapter's declared settings")

  const reinstalled = await portal.install(`${base}/bitrix24/install`)
  t.match(JSON.parse(reinstalled.body), { action: 'updated', connectorId: 1 })
  t.equal(portal.state.connectors.size, 1, 'registered once')

  portal.expireTokens()
  const source = await runCli(['sources', 'add', '--connector', '1', '--title', 'Demo data', '--setting', `token=${TOKEN}`, '--json'], env)
  t.equal(source.code, 0, source.stderr)
  t.equal(portal.renewals, 1, 'the expired token was renewed mid-way')
  t.equal(portal.state.checkCalls.length, 1, "the portal's check call reached the connector and succeeded")
  t.equal(portal.state.sources.size, 1)
  const stored = JSON.parse(await readFile(tokens, 'utf8')).portals[portal.memberId]
  t.match(stored, { connectorId: 1, applicationToken: portal.applicationToken })

  const wrong = await runCli(['sources', 'add', '--connector', '1', '--title', 'Wrong', '--setting', 'token=wrong'], env)
  t.equal(wrong.code, 1)
  t.match(wrong.stderr, /SOURCE_CREATE_CONNECTION_ERROR/)

  const registered = await runCli(['register', '--title', 'b24bi demo', '--public-url', base, '--setting', 'token:Access token', '--allow-private-url', '--json'], env)
  t.same(JSON.parse(registered.stdout), { id: 1, action: 'updated', title: 'b24bi demo' })

  const probed = await runCli(['probe', base, '--setting', `token=${TOKEN}`])
  t.equal(probed.code, 0, probed.stdout)
  t.match(probed.stdout, /PASS/)

  const uninstalled = await portal.uninstall(`${base}/bitrix24/events`)
  t.equal(uninstalled.status, 200)
  t.same(JSON.parse(await readFile(tokens, 'utf8')).portals, {}, 'the tokens are forgotten')
})

t.test('the install flow creates the portal tables when asked, once (a reinstall changes nothing)', async (t) => {
  const portal = await FakePortal.start()
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-e2e-'))
  t.teardown(async () => {
    await portal.close()
    await rm(dir, { recursive: true, force: true })
  })
  const adapter = await createDemoAdapter({ token: TOKEN })
  const codes = (await (adapter as Adapter).listTables('', { connection: { token: TOKEN }, log: console })).map((table) => table.code)
  const base = await startConnector(t, adapter, { portal, tokens: join(dir, 'tokens.json'), syncTables: { source: { title: 'Demo data', settings: { token: TOKEN } }, prefix: 'demo_' } })
  const installed = await portal.install(`${base}/bitrix24/install`)
  t.equal(installed.status, 200, installed.body)
  const answer = JSON.parse(installed.body) as { tables: Array<{ code: string, name: string, action: string }> }
  t.same(answer.tables.map((table) => table.code), codes, 'every table of the served adapter')
  t.ok(answer.tables.every((table) => table.action === 'added' && table.name.startsWith('demo_')))
  t.equal(portal.state.sources.size, 1, 'the source was added (and the portal checked the connection)')
  t.equal(portal.state.tables.tables.size, codes.length)
  const before = portal.calls.length
  const again = await portal.install(`${base}/bitrix24/install`)
  t.ok((JSON.parse(again.body) as typeof answer).tables.every((table) => table.action === 'unchanged'))
  t.equal(portal.state.sources.size, 1, 'the source is found again, not added twice')
  t.notOk(portal.calls.slice(before).some((call) => ['biconnector.table.add', 'biconnector.table.fields.update', 'biconnector.source.add'].includes(call.method)), 'no writes')
})

t.test('probe fails with a clear report on a deliberately broken adapter', async (t) => {
  const base = await startConnector(t, new BrokenAdapter())
  const run = await runCli(['probe', base, '--setting', 'token=x'])
  t.equal(run.code, 1)
  t.match(run.stdout, /warning: field placed on: not a dataset field name/)
  t.match(run.stdout, /✖ orders: preview/)
  t.match(run.stdout, /FAIL .*the portal would reject this connector/)
})
