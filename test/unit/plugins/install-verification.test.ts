import { createServer, type Server } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { installPlugin, type InstallPluginOptions } from '../../../plugins/install.js'
import { PortalPolicy } from '../../../src/bitrix/portal-policy.js'
import { MemoryTokenStore } from '../../../src/bitrix/token-store/memory-token-store.js'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'

const settings = [{ code: 'token', name: 'Access token', type: 'STRING' as const, secret: true }]
const REFUSED = { error: 'B24BI_ERR_INSTALL_FORBIDDEN', message: 'The application event was refused: the event could not be verified' }

/** A loopback HTTP service standing for something inside the network: it counts every request it gets. */
async function internalService (t: Test): Promise<{ port: number, requests: string[] }> {
  const requests: string[] = []
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''}`)
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ error: 'internal_admin_api', error_description: 'cluster=prod-db-7 admin=enabled' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => await new Promise((resolve) => server.close(resolve)))
  const address = server.address()
  return { port: typeof address === 'object' && address !== null ? address.port : 0, requests }
}

async function setup (t: Test, overrides: Partial<InstallPluginOptions> = {}): Promise<{ portal: FakePortal, store: MemoryTokenStore, app: FastifyInstance, handler: string }> {
  const portal = await FakePortal.start()
  const store = new MemoryTokenStore()
  const app = Fastify({ bodyLimit: 64 * 1024 })
  await app.register(installPlugin, {
    tokens: store,
    application: { clientId: portal.clientId, clientSecret: portal.clientSecret, server: portal.oauthServer, restServer: portal.oauthRestServer },
    connector: { title: 'Warehouse', publicUrl: 'https://bi.example.com/', settings },
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

t.test('a forged ONAPPINSTALL pointing at loopback makes no request but the OAuth check, stores nothing, answers a fixed 403', async (t) => {
  const internal = await internalService(t)
  const { portal, store, handler } = await setup(t)
  const answer = await portal.install(handler, {
    domain: `127.0.0.1:${internal.port}`,
    client_endpoint: `http://127.0.0.1:${internal.port}/rest/`,
    access_token: 'forged-access-token',
    member_id: 'victim_member_0001'
  })
  t.equal(answer.status, 403)
  t.same(JSON.parse(answer.body), REFUSED, 'a code and a fixed message')
  t.same(internal.requests, [], 'the named host got no request')
  t.equal(portal.appInfoCalls, 1, 'the OAuth server was asked once')
  t.same(portal.calls, [], 'no REST call either')
  t.same(await store.list(), [], 'nothing stored')
})

t.test("a real token with another portal's member_id or domain is refused before any REST call (no squatting)", async (t) => {
  const internal = await internalService(t)
  const { portal, store, handler } = await setup(t)
  const forged: Array<Record<string, string>> = [
    { member_id: 'victim_member_0002' },
    { domain: `127.0.0.1:${internal.port}`, client_endpoint: `http://127.0.0.1:${internal.port}/rest/` }
  ]
  for (const overrides of forged) {
    const answer = await portal.install(handler, overrides)
    t.equal(answer.status, 403, JSON.stringify(overrides))
    t.same(JSON.parse(answer.body), REFUSED)
  }
  t.same(internal.requests, [])
  t.same(portal.calls, [])
  t.same(await store.list(), [])
  const real = await portal.install(handler)
  t.equal(real.status, 200, 'the real portal installs afterwards')
  t.equal((await store.get(portal.memberId))?.domain, portal.domain)
})

t.test('a token of another application (client_id) is refused', async (t) => {
  const { portal, store, handler } = await setup(t)
  const app = Fastify()
  t.teardown(async () => await app.close())
  await app.register(installPlugin, {
    tokens: store,
    application: { clientId: 'local.other.app', clientSecret: 'x', server: portal.oauthServer, restServer: portal.oauthRestServer },
    connector: { title: 'Other', publicUrl: 'https://bi.example.com/', settings },
    portals: { allowHosts: ['127.0.0.1'], allowHttp: true }
  })
  const { accessToken, refreshToken } = portal.issueTokens()
  const answer = await app.inject({
    method: 'POST',
    url: '/bitrix24/install',
    payload: { event: 'ONAPPINSTALL', auth: { access_token: accessToken, refresh_token: refreshToken, domain: portal.domain, member_id: portal.memberId, application_token: 'x' } }
  })
  t.equal(answer.statusCode, 403)
  t.same(answer.json(), REFUSED)
  t.same(portal.calls, [])
  t.equal(handler.endsWith('/bitrix24/install'), true)
})

t.test('a verified portal on a loopback address is refused unless allowed', async (t) => {
  const { portal, store, handler } = await setup(t, { portals: { allowHttp: true } })
  const answer = await portal.install(handler)
  t.equal(answer.status, 403)
  t.same(JSON.parse(answer.body), REFUSED)
  t.same(portal.calls, [], 'the portal got no REST call')
  t.same(await store.list(), [])
})

t.test('client_endpoint must be exactly the REST endpoint of the domain; checked before any network call', async (t) => {
  const { portal, handler } = await setup(t)
  for (const endpoint of [
    `${portal.url}/admin/delete-everything?confirm=yes#`,
    `${portal.url}/rest/?x=1`,
    `${portal.url}/rest/#`,
    `https://${portal.domain}/rest/`,
    `${portal.url}/REST/x/`
  ]) {
    const answer = await portal.install(handler, { client_endpoint: endpoint })
    t.equal(answer.status, 400, endpoint)
    t.match(JSON.parse(answer.body), { error: 'B24BI_ERR_INSTALL_INVALID', message: /client_endpoint\] must be/ })
  }
  t.equal(portal.appInfoCalls, 0, 'the OAuth server was not even asked')
})

t.test('the portal allow-list (B24BI_PORTALS) refuses other domains before the OAuth check', async (t) => {
  const { portal, handler } = await setup(t, { portals: { allowHosts: ['127.0.0.1'], allowHttp: true, allow: ['*.bitrix24.com', 'crm.example.com'] } })
  const answer = await portal.install(handler)
  t.equal(answer.status, 403)
  t.same(JSON.parse(answer.body), REFUSED)
  t.equal(portal.appInfoCalls, 0)
  const policy = new PortalPolicy({ allow: ['*.bitrix24.com', 'crm.example.com'] })
  t.teardown(async () => await policy.close())
  t.equal(policy.endpointFor('acme.bitrix24.com', undefined), 'https://acme.bitrix24.com/rest/')
  t.equal(policy.endpointFor('crm.example.com', 'https://crm.example.com/rest/'), 'https://crm.example.com/rest/')
  t.throws(() => policy.endpointFor('bitrix24.com.evil.io', undefined), { code: 'B24BI_ERR_INSTALL_FORBIDDEN' })
  t.throws(() => policy.endpointFor('evilbitrix24.com', undefined), { code: 'B24BI_ERR_INSTALL_FORBIDDEN' })
})

t.test('install and events routes are rate-limited per client address', async (t) => {
  const { app } = await setup(t, { rateLimit: { max: 3, windowSeconds: 600 } })
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) {
    const answer = await app.inject({ method: 'POST', url: i % 2 === 0 ? '/bitrix24/install' : '/bitrix24/events', remoteAddress: '203.0.113.5', payload: { event: 'ONAPPINSTALL' } })
    statuses.push(answer.statusCode)
    if (answer.statusCode === 429) {
      t.equal(answer.json().error, 'B24BI_ERR_RATE_LIMITED')
      t.ok(Number(answer.headers['retry-after']) > 0)
    }
  }
  t.same(statuses, [400, 400, 400, 429, 429])
  const other = await app.inject({ method: 'POST', url: '/bitrix24/install', remoteAddress: '198.51.100.1', payload: { event: 'ONAPPINSTALL' } })
  t.equal(other.statusCode, 400, 'another address has its own allowance')
})

t.test('an install event sent as an object answers 400 and an oversized body 413 (were 500)', async (t) => {
  const { app } = await setup(t)
  const object = await app.inject({ method: 'POST', url: '/bitrix24/install', payload: { event: { toString: 1 }, auth: {} } })
  t.equal(object.statusCode, 400)
  t.equal(object.json().error, 'B24BI_ERR_INSTALL_INVALID')
  const big = await app.inject({ method: 'POST', url: '/bitrix24/install', payload: 'event=ONAPPINSTALL&pad=' + 'x'.repeat(100 * 1024), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(big.statusCode, 413)
  t.equal(big.json().error, 'B24BI_ERR_REQUEST_TOO_LARGE')
})

t.test('the guarded fetch connects only to allowed addresses, whatever the name resolves to at connect time', async (t) => {
  const internal = await internalService(t)
  const policy = new PortalPolicy({ allowHttp: true }, async () => ['127.0.0.1'])
  t.teardown(async () => await policy.close())
  await t.rejects(policy.fetch(`http://portal.example.com:${internal.port}/rest/x`, { method: 'POST' }))
  t.same(internal.requests, [], 'no connection was made')
  const allowed = new PortalPolicy({ allowHttp: true, allowHosts: ['127.0.0.1'] }, async () => ['127.0.0.1'])
  t.teardown(async () => await allowed.close())
  const answer = await allowed.fetch(`http://portal.example.com:${internal.port}/rest/x`, { method: 'POST' })
  t.equal(answer.status, 200)
  t.equal(internal.requests.length, 1)
})
