import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { installPlugin, type InstallPluginOptions } from '../../../plugins/install.js'
import { MemoryTokenStore } from '../../../src/bitrix/token-store/memory-token-store.js'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'

const settings = [{ code: 'token', name: 'Access token', type: 'STRING' as const, secret: true }]

async function setup (t: Test, overrides: Partial<InstallPluginOptions> = {}): Promise<{ portal: FakePortal, store: MemoryTokenStore, app: FastifyInstance, handler: string }> {
  const portal = await FakePortal.start()
  const store = new MemoryTokenStore()
  const app = Fastify()
  await app.register(installPlugin, {
    tokens: store,
    application: { clientId: portal.clientId, clientSecret: portal.clientSecret, server: portal.oauthServer, restServer: portal.oauthRestServer },
    connector: { title: 'Warehouse', publicUrl: 'https://bi.example.com/', settings, description: 'Sales' },
    rest: { retryDelayMs: 1 },
    portals: { allowHosts: ['127.0.0.1'], allowHttp: true },
    ...overrides
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => {
    await app.close()
    await portal.close()
  })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { portal, store, app, handler: `http://127.0.0.1:${port}/bitrix24/install` }
}

t.test('ONAPPINSTALL registers the connector and stores the tokens', async (t) => {
  const { portal, store, handler } = await setup(t)
  const answer = await portal.install(handler)
  t.equal(answer.status, 200, answer.body)
  t.match(JSON.parse(answer.body), { status: 'installed', action: 'added', connectorId: 1 })
  const [connector] = [...portal.state.connectors.values()]
  t.match(connector, {
    title: 'Warehouse',
    description: 'Sales',
    sort: 100,
    urlCheck: 'https://bi.example.com/api/check',
    urlTableList: 'https://bi.example.com/api/table_list',
    urlTableDescription: 'https://bi.example.com/api/table_description',
    urlData: 'https://bi.example.com/api/data',
    supportMapping: true,
    logo: /^data:image\/svg\+xml;base64,/
  })
  t.same(connector?.settings, [{ code: 'token', name: 'Access token', type: 'STRING' }], 'only code, name, type are sent')
  const tokens = await store.get(portal.memberId)
  t.match(tokens, { domain: portal.domain, restEndpoint: `${portal.url}/rest/`, applicationToken: portal.applicationToken, connectorId: 1 })
  t.ok(portal.calls.every((call) => call.via === 'oauth'))
})

t.test('a reinstall updates the connector instead of adding another', async (t) => {
  const { portal, handler } = await setup(t)
  await portal.install(handler)
  const again = await portal.install(handler)
  t.match(JSON.parse(again.body), { status: 'installed', action: 'updated', connectorId: 1 })
  t.equal(portal.state.connectors.size, 1)
  t.ok(portal.calls.some((call) => call.method === 'biconnector.connector.update'))
})

t.test('an install event with missing or insane fields is refused and stores nothing', async (t) => {
  const { portal, store, handler } = await setup(t)
  for (const [overrides, message] of [
    [{ access_token: '' }, /auth\[access_token\] is missing/],
    [{ application_token: '' }, /auth\[application_token\] is missing/],
    [{ domain: 'evil.com/x' }, /not a host name/],
    [{ member_id: 'a b' }, /member_id/],
    [{ client_endpoint: 'https://elsewhere.example.com/rest/' }, /client_endpoint\] must be http:\/\/127\.0\.0\.1:\d+\/rest\//]
  ] as const) {
    const answer = await portal.install(handler, overrides)
    t.equal(answer.status, 400)
    t.match(JSON.parse(answer.body), { error: 'B24BI_ERR_INSTALL_INVALID', message })
  }
  t.same(await store.list(), [])
  t.equal(portal.state.connectors.size, 0)
})

t.test('an install for a known portal id from another domain is refused', async (t) => {
  const { portal, store, handler } = await setup(t)
  await portal.install(handler)
  const answer = await portal.install(handler, { domain: 'other.bitrix24.com', client_endpoint: 'https://other.bitrix24.com/rest/' })
  t.equal(answer.status, 403)
  t.equal((await store.get(portal.memberId))?.domain, portal.domain)
})

t.test('a failing registration answers an error and stores nothing', async (t) => {
  const { portal, store, handler } = await setup(t)
  portal.failNext(1, 'INTERNAL_SERVER_ERROR')
  const answer = await portal.install(handler)
  t.equal(answer.status, 502)
  t.same(JSON.parse(answer.body), { error: 'B24BI_ERR_INSTALL_FAILED', message: 'The connector could not be registered on the portal', vendorCode: 'INTERNAL_SERVER_ERROR' },
    "the portal's words stay in the log; only its code comes back")
  t.same(await store.list(), [])
})

t.test('a connector.add the portal refuses inside result (HTTP 200) fails the install with its code and stores nothing', async (t) => {
  const { portal, store, handler } = await setup(t)
  portal.refuseNext('biconnector.connector.add', 'ACCESS_DENIED', 'Access denied.')
  const answer = await portal.install(handler)
  t.equal(answer.status, 502)
  t.same(JSON.parse(answer.body), { error: 'B24BI_ERR_INSTALL_FAILED', vendorCode: 'ACCESS_DENIED', message: 'The connector could not be registered on the portal' })
  t.same(await store.list(), [], 'no tokens stored (the old bug stored connector id NaN)')
  t.equal(portal.state.connectors.size, 0)
})

t.test('the install asks connector.fields first and leaves out what an older portal does not know', async (t) => {
  const { portal, handler } = await setup(t)
  portal.state.connectorFields = ['title', 'logo', 'description', 'sort', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'settings']
  const answer = await portal.install(handler)
  t.equal(answer.status, 200, answer.body)
  const [connector] = [...portal.state.connectors.values()]
  t.notOk(connector !== undefined && 'supportMapping' in connector, 'supportMapping is not sent to a portal that would refuse it')
  const methods = portal.calls.map((call) => call.method)
  t.ok(methods.indexOf('biconnector.connector.fields') < methods.indexOf('biconnector.connector.add'), 'fields asked before add')
})

t.test('ONAPPUNINSTALL forgets the tokens only with the right application_token', async (t) => {
  const { portal, store, handler } = await setup(t)
  await portal.install(handler)
  const events = handler.replace('/install', '/events')
  const wrong = await portal.uninstall(events, 'not-the-token')
  t.equal(wrong.status, 403)
  t.ok(await store.get(portal.memberId), 'still stored')
  const right = await portal.uninstall(events)
  t.equal(right.status, 200)
  t.equal(await store.get(portal.memberId), undefined)
  t.equal((await portal.uninstall(events)).status, 200, 'a repeated uninstall is harmless')
})

t.test('other events, bodies without auth and JSON bodies', async (t) => {
  const { app, portal } = await setup(t)
  const other = await app.inject({ method: 'POST', url: '/bitrix24/events', payload: { event: 'ONCRMDEALADD', auth: { member_id: 'x' } } })
  t.equal(other.statusCode, 400)
  t.match(other.json(), { error: 'B24BI_ERR_INSTALL_INVALID', message: /ONCRMDEALADD/ })
  const empty = await app.inject({ method: 'POST', url: '/bitrix24/install', payload: 'event=ONAPPINSTALL', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.match(empty.json(), { error: 'B24BI_ERR_INSTALL_INVALID', message: /auth is missing/ })
  const { accessToken, refreshToken } = portal.issueTokens()
  const json = await app.inject({
    method: 'POST',
    url: '/bitrix24/install',
    payload: { event: 'onappinstall', auth: { access_token: accessToken, refresh_token: refreshToken, domain: portal.domain, member_id: portal.memberId, application_token: 'x' } }
  })
  t.equal(json.statusCode, 200, json.body)
})

t.test('configuration mistakes fail at start-up', async (t) => {
  const app = Fastify()
  t.teardown(async () => await app.close())
  await t.rejects(async () => {
    await app.register(installPlugin, { tokens: new MemoryTokenStore(), application: { clientId: 'c', clientSecret: '' }, connector: { title: 'x', publicUrl: 'https://x' } })
  }, { code: 'B24BI_ERR_CONFIG_INVALID' })
  const bad = Fastify()
  t.teardown(async () => await bad.close())
  await t.rejects(async () => {
    await bad.register(installPlugin, { tokens: new MemoryTokenStore(), application: { clientId: 'c', clientSecret: 's' }, connector: { title: 'x', publicUrl: 'not a url' } })
  }, { code: 'B24BI_ERR_CONFIG_INVALID' })
})

t.test('the install page of an application with a UI registers too and finishes the installation', async (t) => {
  const { portal, store, handler } = await setup(t)
  const page = await portal.openInstallPage(handler)
  t.equal(page.status, 200, page.body)
  t.match(page.contentType, /text\/html/)
  t.match(page.body, /assets\/install\.js/, 'the page loads the script that calls installFinish')
  t.equal(portal.state.connectors.size, 1)
  const tokens = await store.get(portal.memberId)
  t.match(tokens, { domain: portal.domain, connectorId: 1 })
  t.equal(tokens?.applicationToken, undefined, 'the page brings no application_token')
  const refused = await portal.uninstall(handler.replace('/install', '/events'))
  t.equal(refused.status, 403, 'an uninstall cannot be verified without it')
  t.match(JSON.parse(refused.body), { message: /no application_token is known/ })
  await portal.install(handler)
  await portal.openInstallPage(handler)
  t.equal((await store.get(portal.memberId))?.applicationToken, portal.applicationToken, 'a page reinstall keeps a known application_token')
  t.equal(portal.state.connectors.size, 1)
})
