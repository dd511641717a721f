import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { Adapter, type RequestContext } from '../../../src/core/adapter.js'
import type { FieldInfo, TableInfo } from '../../../src/core/field-types.js'
import { buildServer } from '../../../src/server/index.js'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'
import { runCli } from '../../helpers/cli-harness.js'

/** A connector whose tables the test changes between syncs. */
class ChangingAdapter extends Adapter {
  override readonly settings = [{ code: 'token', name: 'Token', type: 'STRING' as const }]
  tables: Record<string, { title: string, fields: FieldInfo[] }> = {
    orders: { title: 'Orders', fields: [{ code: 'ID', type: 'int' }, { code: 'placed on', type: 'date' }, { code: 'amount', type: 'money' }, { code: 'Сумма НДС', type: 'double' }] },
    customers: { title: 'Customers', fields: [{ code: 'ID', type: 'int' }, { code: 'NAME', type: 'string' }, { code: 'zone', type: 'string' }] },
    'Stock-Levels': { title: 'Stock levels', fields: [{ code: 'SKU', type: 'string' }, { code: 'qty', type: 'double' }] },
    Склад: { title: 'Склад', fields: [{ code: 'sku', type: 'string' }, { code: 'SKU', type: 'string' }] }
  }

  override async check (context: RequestContext): Promise<boolean> { return context.connection.token === 'good' }
  async listTables (): Promise<TableInfo[]> { return Object.entries(this.tables).map(([code, { title }]) => ({ code, title })) }
  async describeTable (table: string): Promise<FieldInfo[] | undefined> { return this.tables[table]?.fields }
  async * readRows (): AsyncIterable<unknown[][]> {}
}

async function setup (t: Test): Promise<{ portal: FakePortal, adapter: ChangingAdapter, env: NodeJS.ProcessEnv, sourceId: number }> {
  const adapter = new ChangingAdapter()
  const app = await buildServer({ adapter, logger: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  const portal = await FakePortal.start()
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-tables-'))
  t.teardown(async () => {
    await portal.close()
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })
  const { accessToken, refreshToken } = portal.issueTokens()
  const env = { B24BI_CLIENT_ID: portal.clientId, B24BI_CLIENT_SECRET: portal.clientSecret, B24BI_OAUTH_SERVER: portal.oauthServer, B24BI_TOKEN_STORE: `file:${join(dir, 'tokens.json')}` }
  const given = ['--domain', portal.domain, '--member-id', portal.memberId, '--access-token', accessToken, '--refresh-token', refreshToken]
  const registered = await runCli(['register', '--title', 'Warehouse', '--public-url', base, '--setting', 'token:Token', '--allow-private-url', ...given], env)
  t.equal(registered.code, 0, registered.stderr)
  const source = await runCli(['sources', 'add', '--connector', '1', '--title', 'Main', '--setting', 'token=good', '--json'], env)
  t.equal(source.code, 0, source.stderr)
  return { portal, adapter, env, sourceId: JSON.parse(source.stdout).id }
}

const callsOf = (portal: FakePortal, from: number, method: string): number => portal.calls.slice(from).filter((call) => call.method === method).length

t.test('tables sync creates every table once, and a second run changes nothing', async (t) => {
  const { portal, env, sourceId } = await setup(t)
  const first = await runCli(['tables', 'sync', '--source', String(sourceId), '--json'], env)
  t.equal(first.code, 0, first.stderr)
  t.match(JSON.parse(first.stdout), [
    { code: 'orders', name: 'orders', action: 'added', added: ['ID', 'placed on', 'amount', 'Сумма НДС'] },
    { code: 'customers', name: 'customers', action: 'added' },
    { code: 'Stock-Levels', name: 'stock_levels', action: 'added' },
    { code: 'Склад', name: 'sklad', action: 'added' }
  ])
  const tables = [...portal.state.tables.tables.values()]
  t.equal(tables.length, 4)
  t.same(tables.map((table) => [table.name, table.externalCode, table.externalName, table.sourceId]), [
    ['orders', 'orders', 'Orders', sourceId], ['customers', 'customers', 'Customers', sourceId], ['stock_levels', 'Stock-Levels', 'Stock levels', sourceId],
    ['sklad', 'Склад', 'Склад', sourceId]
  ])
  t.same(tables[0]?.fields.map((column) => [column.name, column.externalCode, column.type]),
    [['ID', 'ID', 'int'], ['PLACED_ON', 'placed on', 'date'], ['AMOUNT', 'amount', 'money'], ['SUMMA_NDS', 'Сумма НДС', 'double']],
    'columns named as the portal proposes (transliterated), the connector code kept as externalCode')
  t.same(tables[3]?.fields.map((column) => column.name), ['SKU', 'SKU_2'], 'two codes proposing one name get distinct names')
  const before = portal.calls.length
  const second = await runCli(['tables', 'sync', '--source', String(sourceId)], env)
  t.equal(second.code, 0, second.stderr)
  t.match(second.stdout, /4 tables synced/)
  t.equal(second.stdout.match(/ unchanged/g)?.length, 4, 'every table reported unchanged')
  t.equal(callsOf(portal, before, 'biconnector.table.add') + callsOf(portal, before, 'biconnector.table.fields.update'), 0, 'no write on the second run')
  t.equal(portal.state.tables.tables.size, 4)
  const listed = await runCli(['tables', 'list', '--source', String(sourceId)], env)
  t.match(listed.stdout, /^ID\s+NAME\s+SOURCE\s+EXTERNAL CODE\s+EXTERNAL NAME\n1\s+orders\s+\d+\s+orders\s+Orders/)
  const remove = await runCli(['sources', 'remove', String(sourceId)], env)
  t.match(remove, { code: 1, stderr: /biconnector\.source\.delete answered BX_ERROR: Cannot delete source\. Delete all related datasets first\./ })
  t.notMatch(remove.stdout, /removed/, 'a refused remove prints no success')
  t.ok(portal.state.sources.has(sourceId))
})

t.test('tables sync adds new columns, hides vanished ones, shows them again, and says what it cannot change', async (t) => {
  const { portal, adapter, env, sourceId } = await setup(t)
  await runCli(['tables', 'sync', '--source', String(sourceId), '--table', 'orders'], env)
  t.equal(portal.state.tables.tables.size, 1, '--table limits the sync')
  adapter.tables.orders = { title: 'Orders', fields: [{ code: 'ID', type: 'string' }, { code: 'amount', type: 'money' }, { code: 'status', type: 'string' }] }
  const changed = await runCli(['tables', 'sync', '--source', String(sourceId), '--table', 'orders', '--json'], env)
  t.equal(changed.code, 0, changed.stderr)
  t.match(JSON.parse(changed.stdout), [{ code: 'orders', action: 'updated', added: ['status'], hidden: ['placed on', 'Сумма НДС'], shown: [] }])
  t.match(changed.stderr, /column ID \(ID\) is int in the portal and string in the connector; the portal cannot change a column type/)
  const orders = portal.state.tables.tables.get(1)
  t.same(orders?.fields.map((column) => [column.name, column.visible]), [['ID', true], ['PLACED_ON', false], ['AMOUNT', true], ['SUMMA_NDS', false], ['STATUS', true]])
  adapter.tables.orders.fields.push({ code: 'placed on', type: 'date' })
  const back = await runCli(['tables', 'sync', '--source', String(sourceId), '--table', 'orders', '--json'], env)
  t.match(JSON.parse(back.stdout), [{ action: 'updated', shown: ['placed on'], added: [] }])
  t.equal(orders?.fields.find((column) => column.name === 'PLACED_ON')?.visible, true)
})

t.test('tables sync reports portal refusals and connector failures with their codes', async (t) => {
  const { portal, adapter, env, sourceId } = await setup(t)
  portal.state.tables.takenNames.add('customers')
  const taken = await runCli(['tables', 'sync', '--source', String(sourceId)], env)
  t.equal(taken.code, 1)
  t.match(taken.stderr, /biconnector\.table\.add answered NAME_EXISTS: A table named "customers" already exists\./)
  t.notMatch(taken.stdout, /tables? synced/)
  t.match(taken.stdout, /not all synced; done before the failure:\n\s+\+ orders \(#1, orders\) added/, 'what was done before the refusal is said')
  const prefixed = await runCli(['tables', 'sync', '--source', String(sourceId), '--table', 'customers', '--prefix', 'wh_', '--json'], env)
  t.match(JSON.parse(prefixed.stdout), [{ name: 'wh_customers', action: 'added' }], '--prefix avoids a portal-wide name clash')
  adapter.tables.empty = { title: 'Empty', fields: [] }
  t.match(await runCli(['tables', 'sync', '--source', String(sourceId), '--table', 'empty'], env), { code: 1, stderr: /B24BI_ERR_TABLES_SYNC/ })
  t.match(await runCli(['tables', 'sync', '--source', String(sourceId), '--table', 'nope'], env), { code: 1, stderr: /lists no table 'nope'/ })
  t.match(await runCli(['tables', 'sync', '--source', '99'], env), { code: 1, stderr: /biconnector\.source\.get answered SOURCE_NOT_FOUND/ })
  t.match(await runCli(['tables', 'sync'], env), { code: 2, stderr: /--source must be a positive integer/ })
  t.match(await runCli(['tables', 'sync', '--source', '1', '--prefix', 'Bad-'], env), { code: 2, stderr: /--prefix/ })
  t.match(await runCli(['tables', 'explode'], env), { code: 2, stderr: /expected sync or list/ })
  await runCli(['sources', 'update', String(sourceId), '--setting', 'token=good'], env)
  portal.state.sources.get(sourceId)!.settings.token = 'bad'
  t.match(await runCli(['tables', 'sync', '--source', String(sourceId)], env), { code: 1, stderr: /table list call answered HTTP 401 B24BI_ERR_AUTH_REJECTED/ })
})

t.test('sources get masks the settings; sources update merges settings and the portal checks them again', async (t) => {
  const { portal, env, sourceId } = await setup(t)
  const got = await runCli(['sources', 'get', String(sourceId), '--json'], env)
  t.equal(got.code, 0, got.stderr)
  t.same(JSON.parse(got.stdout), { id: sourceId, connectorId: 1, title: 'Main', description: '', active: true, settings: { token: '***' } })
  t.notMatch(got.stdout, 'good')
  const renamed = await runCli(['sources', 'update', String(sourceId), '--title', 'Primary', '--inactive'], env)
  t.match(renamed, { code: 0, stdout: /source #\d+ updated \(title, active\)/ })
  t.match(portal.state.sources.get(sourceId), { title: 'Primary', active: false, settings: { token: 'good' } })
  const checks = portal.state.checkCalls.length
  const refused = await runCli(['sources', 'update', String(sourceId), '--setting', 'token=bad'], env)
  t.match(refused, { code: 1, stderr: /SOURCE_UPDATE_CONNECTION_ERROR/ })
  t.notMatch(refused.stdout, /updated/)
  t.equal(portal.state.checkCalls.length, checks + 1, 'the portal called urlCheck with the new settings')
  t.equal(portal.state.sources.get(sourceId)?.settings.token, 'good', 'a refused update changes nothing')
  t.match(await runCli(['sources', 'update', String(sourceId)], env), { code: 2, stderr: /nothing to update/ })
  t.match(await runCli(['sources', 'update', String(sourceId), '--active', '--inactive'], env), { code: 2, stderr: /not both/ })
  t.match(await runCli(['sources', 'get', '99'], env), { code: 1, stderr: /SOURCE_NOT_FOUND/ })
})
