import t, { type Test } from 'tap'
import { RestClient } from '../../../src/bitrix/rest-client.js'
import { isLocalHost, isPortalDomain, restEndpointOf, webhookEndpoint } from '../../../src/bitrix/portal-url.js'
import { MemoryTokenStore } from '../../../src/bitrix/token-store/memory-token-store.js'
import type { PortalTokens } from '../../../src/bitrix/token-store/token-store.js'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'

const fields = (title: string): Record<string, unknown> => ({
  title,
  logo: 'data:image/svg+xml;base64,PHN2Zy8+',
  urlCheck: 'http://127.0.0.1:1/api/check',
  urlTableList: 'http://127.0.0.1:1/api/table_list',
  urlTableDescription: 'http://127.0.0.1:1/api/table_description',
  urlData: 'http://127.0.0.1:1/api/data',
  settings: [{ code: 'token', name: 'Token', type: 'STRING' }]
})

async function setup (t: Test, clientSecret?: string): Promise<{ portal: FakePortal, store: MemoryTokenStore, client: RestClient, tokens: PortalTokens }> {
  const portal = await FakePortal.start()
  t.teardown(async () => await portal.close())
  const { accessToken, refreshToken, expiresIn } = portal.issueTokens()
  const tokens: PortalTokens = {
    memberId: portal.memberId, domain: portal.domain, restEndpoint: `${portal.url}/rest/`, accessToken, refreshToken, expiresAt: Date.now() + expiresIn * 1000
  }
  const store = new MemoryTokenStore([tokens])
  const client = new RestClient({
    auth: { memberId: portal.memberId, tokens: store, application: { clientId: portal.clientId, clientSecret: clientSecret ?? portal.clientSecret, server: portal.oauthServer } },
    retryDelayMs: 1
  })
  return { portal, store, client, tokens }
}

t.test('OAuth: calls a method and returns its result', async (t) => {
  const { client } = await setup(t)
  const { id } = await client.call<{ id: number }>('biconnector.connector.add', { fields: fields('A') })
  t.equal(id, 1)
  const list = await client.call<Array<{ id: string, title: string }>>('biconnector.connector.list', { filter: { title: 'A' } })
  t.same(list.map((c) => c.title), ['A'])
})

t.test('a biconnector error inside result (HTTP 200) becomes a coded error keeping the vendor code', async (t) => {
  const { client, tokens } = await setup(t)
  const error = await client.call('biconnector.connector.add', { fields: { title: 'x' } }).catch((e: unknown) => e) as Record<string, unknown>
  t.match(error, {
    code: 'B24BI_ERR_REST_CALL',
    vendorCode: 'VALIDATION_REQUIRED_FIELD_MISSING',
    vendorDescription: 'Field "logo" is required.',
    httpStatus: 200,
    method: 'biconnector.connector.add'
  })
  t.notMatch(String(error.message), tokens.accessToken, 'the token is not in the message')
  for (const method of ['biconnector.source.get', 'biconnector.table.get', 'biconnector.connector.delete']) {
    await t.rejects(client.call(method, { id: 42 }), { code: 'B24BI_ERR_REST_CALL', httpStatus: 200, vendorCode: /_NOT_FOUND$/ }, method)
  }
})

t.test('an error inside result with a numeric or empty code keeps it as text', async (t) => {
  const answer = (result: unknown): typeof fetch => async () => new Response(JSON.stringify({ result }), { status: 200 })
  const zero = new RestClient({ auth: { webhook: 'http://127.0.0.1:1/rest/1/abc/' }, fetch: answer({ error: { error: 0, error_description: 'Error updating table.' } }) })
  await t.rejects(zero.call('biconnector.table.update'), { code: 'B24BI_ERR_REST_CALL', vendorCode: '0', vendorDescription: 'Error updating table.' })
  const plain = new RestClient({ auth: { webhook: 'http://127.0.0.1:1/rest/1/abc/' }, fetch: answer({ error: 'not an error object', id: 3 }) })
  t.same(await plain.call('crm.item.get'), { error: 'not an error object', id: 3 }, 'a result merely holding an "error" text is a result')
})

t.test('webhook: connector methods answer ACCESS_DENIED, source methods work', async (t) => {
  const portal = await FakePortal.start()
  t.teardown(async () => await portal.close())
  const client = new RestClient({ auth: { webhook: portal.webhookUrl } })
  await t.rejects(client.call('biconnector.connector.add', { fields: fields('A') }), { code: 'B24BI_ERR_REST_CALL', vendorCode: 'ACCESS_DENIED', httpStatus: 200 })
  t.same(await client.call('biconnector.source.list'), [])
  const wrong = new RestClient({ auth: { webhook: `${portal.url}/rest/1/wrong/profile.json` } })
  await t.rejects(wrong.call('biconnector.source.list'), { code: 'B24BI_ERR_REST_CALL', vendorCode: 'NO_AUTH_FOUND' })
})

t.test('an expired token is renewed once, persisted, and the call repeated', async (t) => {
  const { portal, store, client, tokens } = await setup(t)
  portal.expireTokens()
  t.same(await client.call('biconnector.connector.list'), [])
  t.equal(portal.renewals, 1)
  const stored = await store.get(portal.memberId)
  t.not(stored?.accessToken, tokens.accessToken, 'a new access token is stored')
  t.not(stored?.refreshToken, tokens.refreshToken, 'the rotated refresh token is stored')
  t.equal(stored?.domain, portal.domain, 'the OAuth server domain does not replace the portal domain')
  t.same(await client.call('biconnector.connector.list'), [], 'the renewed token works')
  t.equal(portal.renewals, 1)
})

t.test('concurrent calls with an expired token renew once (single flight)', async (t) => {
  const { portal, client } = await setup(t)
  portal.expireTokens()
  await Promise.all(Array.from({ length: 5 }, async () => await client.call('biconnector.connector.list')))
  t.equal(portal.renewals, 1)
})

t.test('a token known to be expired is renewed before calling', async (t) => {
  const { portal, store, client } = await setup(t)
  const tokens = await store.get(portal.memberId)
  if (tokens !== undefined) await store.set({ ...tokens, expiresAt: Date.now() - 1 })
  await client.call('biconnector.connector.list')
  t.equal(portal.renewals, 1)
  t.notOk(portal.calls.some((call) => call.error === 'expired_token'), 'no call was refused')
})

t.test('a failed renewal is a coded error', async (t) => {
  const { portal, client } = await setup(t, 'wrong secret')
  portal.expireTokens()
  await t.rejects(client.call('biconnector.connector.list'), { code: 'B24BI_ERR_OAUTH_RENEW', message: /invalid_client/ })
})

t.test('a renewal another replica already made is picked up from the store', async (t) => {
  const { portal, tokens } = await setup(t)
  portal.expireTokens()
  const fresh = portal.issueTokens()
  const store = new MemoryTokenStore([tokens])
  // This client's own renewal fails (wrong secret); meanwhile "another replica" stores a renewed pair.
  const client = new RestClient({ auth: { memberId: portal.memberId, tokens: store, application: { clientId: portal.clientId, clientSecret: 'bad', server: portal.oauthServer } } })
  const get = store.get.bind(store)
  let reads = 0
  store.get = async (memberId) => {
    if (++reads === 3) await store.set({ ...tokens, accessToken: fresh.accessToken, refreshToken: fresh.refreshToken })
    return await get(memberId)
  }
  t.same(await client.call('biconnector.connector.list'), [])
  t.equal(portal.renewals, 0)
})

t.test('QUERY_LIMIT_EXCEEDED is retried with backoff, then given up', async (t) => {
  const { portal, client } = await setup(t)
  portal.failNext(2)
  t.same(await client.call('biconnector.connector.list'), [])
  const impatient = new RestClient({ auth: { webhook: portal.webhookUrl }, retries: 1, retryDelayMs: 1 })
  portal.failNext(3)
  await t.rejects(impatient.call('biconnector.source.list'), { code: 'B24BI_ERR_REST_CALL', vendorCode: 'QUERY_LIMIT_EXCEEDED', httpStatus: 503 })
})

t.test('list pages with page (50 a page) until a short page', async (t) => {
  const { client, portal } = await setup(t)
  for (let i = 0; i < 120; i++) await client.call('biconnector.connector.add', { fields: fields(`C${i}`) })
  const all = await client.list<{ title: string }>('biconnector.connector.list')
  t.equal(all.length, 120)
  t.equal(new Set(all.map((c) => c.title)).size, 120)
  t.equal(portal.calls.filter((call) => call.method === 'biconnector.connector.list').length, 3)
  for (let i = 120; i < 150; i++) await client.call('biconnector.connector.add', { fields: fields(`C${i}`) })
  t.equal((await client.list('biconnector.connector.list')).length, 150, 'an exact multiple of 50 ends at the empty page')
  t.same(await client.list('biconnector.connector.list', { filter: { title: 'C7' } }), [await client.call('biconnector.connector.list', { filter: { title: 'C7' } })].flat())
})

t.test('list follows next where a portal answers it, and refuses a portal that repeats pages', async (t) => {
  const page = (items: unknown[], next?: number): Response => new Response(JSON.stringify({ result: items, ...(next === undefined ? {} : { next, total: 3 }) }))
  const bodies: Array<Record<string, unknown>> = []
  const older = new RestClient({
    auth: { webhook: 'http://127.0.0.1:1/rest/1/abc/' },
    fetch: async (_url, init) => {
      const body = JSON.parse(String(init?.body)) as Record<string, unknown>
      bodies.push(body)
      return body.start === undefined ? page([{ id: 1 }, { id: 2 }], 2) : page([{ id: 3 }])
    }
  })
  t.same(await older.list('crm.item.list'), [{ id: 1 }, { id: 2 }, { id: 3 }])
  t.match(bodies, [{ page: 1 }, { start: 2 }])
  const full = Array.from({ length: 50 }, (_, id) => ({ id }))
  const stuck = new RestClient({ auth: { webhook: 'http://127.0.0.1:1/rest/1/abc/' }, fetch: async () => page(full) })
  await t.rejects(stuck.list('biconnector.connector.list'), { code: 'B24BI_ERR_REST_FAILED', message: /page 2 repeats page 1/ })
})

t.test('refuses plain http to a non-local portal', async (t) => {
  t.throws(() => new RestClient({ auth: { webhook: 'http://example.bitrix24.com/rest/1/abc/' } }), { code: 'B24BI_ERR_REST_INSECURE' })
  const store = new MemoryTokenStore([{ memberId: 'm', domain: 'example.bitrix24.com', restEndpoint: 'http://example.bitrix24.com/rest/', accessToken: 'a', refreshToken: 'r' }])
  const client = new RestClient({ auth: { memberId: 'm', tokens: store, application: { clientId: 'c', clientSecret: 's' } } })
  await t.rejects(client.call('profile'), { code: 'B24BI_ERR_REST_INSECURE' })
})

t.test('unknown portal, unreachable portal, non-JSON answer', async (t) => {
  const client = new RestClient({ auth: { memberId: 'nobody', tokens: new MemoryTokenStore(), application: { clientId: 'c', clientSecret: 's' } } })
  await t.rejects(client.call('profile'), { code: 'B24BI_ERR_TOKENS_NOT_FOUND' })
  const down = new RestClient({ auth: { webhook: 'http://127.0.0.1:1/rest/1/abc/' }, timeoutMs: 2000 })
  await t.rejects(down.call('profile'), { code: 'B24BI_ERR_REST_FAILED', message: /unreachable/ })
  const html = new RestClient({ auth: { webhook: 'http://127.0.0.1:1/rest/1/abc/' }, fetch: async () => new Response('<html>', { status: 502 }) })
  await t.rejects(html.call('profile'), { code: 'B24BI_ERR_REST_FAILED', message: /HTTP 502 without a JSON body/ })
})

t.test('portal URL helpers', async (t) => {
  t.equal(webhookEndpoint('https://x.bitrix24.com/rest/1/abc'), 'https://x.bitrix24.com/rest/1/abc/')
  t.equal(webhookEndpoint('https://x.bitrix24.com/rest/1/abc/profile.json'), 'https://x.bitrix24.com/rest/1/abc/')
  t.throws(() => webhookEndpoint('https://x.bitrix24.com/api/'), { code: 'B24BI_ERR_CONFIG_INVALID' })
  t.throws(() => webhookEndpoint('not a url'), { code: 'B24BI_ERR_CONFIG_INVALID' })
  t.ok(isLocalHost('LOCALHOST') && isLocalHost('::1') && !isLocalHost('10.0.0.1'))
  t.ok(isPortalDomain('x.bitrix24.com') && isPortalDomain('127.0.0.1:8080'))
  t.notOk(isPortalDomain('x.com/evil') || isPortalDomain('') || isPortalDomain('a b'))
  t.equal(restEndpointOf('x.bitrix24.com'), 'https://x.bitrix24.com/rest/')
  t.equal(restEndpointOf('127.0.0.1:8080'), 'http://127.0.0.1:8080/rest/')
})
