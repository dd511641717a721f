import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { installPlugin, type InstallPluginOptions } from '../../../plugins/install.js'
import { phpFormEncode } from '../../../src/probe/php-form.js'
import { MemoryTokenStore } from '../../../src/bitrix/token-store/memory-token-store.js'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'
import type { ServerOptions } from '../../../src/server/build-server.js'

/** The real server (helmet on) with the install flow, as `b24bi serve` composes it. */
async function setup (t: Test, server: Partial<ServerOptions> = {}, install: Partial<InstallPluginOptions> = {}): Promise<{ portal: FakePortal, app: FastifyInstance }> {
  const portal = await FakePortal.start()
  const app = await demoServer(server)
  await app.register(installPlugin, {
    tokens: new MemoryTokenStore(),
    application: { clientId: portal.clientId, clientSecret: portal.clientSecret, server: portal.oauthServer, restServer: portal.oauthRestServer },
    portals: { allowHosts: ['127.0.0.1'], allowHttp: true }, // the fake portal listens on loopback, over http
    connector: { title: 'Warehouse', publicUrl: 'https://bi.example.com/' },
    rest: { retryDelayMs: 1 },
    ...install
  })
  t.teardown(async () => {
    await app.close()
    await portal.close()
  })
  return { portal, app }
}

/** The install page's form, posted the way the portal's frame posts it. */
function installForm (portal: FakePortal): { url: string, payload: string, headers: Record<string, string> } {
  const { accessToken, refreshToken, expiresIn } = portal.issueTokens()
  return {
    url: `/bitrix24/install?${new URLSearchParams({ DOMAIN: portal.domain, PROTOCOL: '0', LANG: 'en', APP_SID: 'sid1' })}`,
    payload: phpFormEncode({ AUTH_ID: accessToken, AUTH_EXPIRES: expiresIn, REFRESH_ID: refreshToken, member_id: portal.memberId, status: 'L', PLACEMENT: 'DEFAULT' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }
  }
}

t.test('the install page is framable by the portal only; every other route keeps refusing frames', async (t) => {
  const { portal, app } = await setup(t)
  const page = await app.inject({ method: 'POST', ...installForm(portal), remoteAddress: '203.0.113.9' })
  t.equal(page.statusCode, 200, page.body)
  t.equal(page.headers['x-frame-options'], undefined, 'no X-Frame-Options on the install page')
  t.match(page.headers['content-security-policy'], new RegExp(`^frame-ancestors ${portal.url.replaceAll('.', '\\.')};`))
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
  t.equal(page.headers['cache-control'], 'no-store')
  t.notMatch(page.body, /api\.bitrix24\.com|<script>/, 'no CDN script, no inline script')
  const scripts = [...page.body.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1] ?? '')
  t.same(scripts.map((src) => src.split('?')[0]), ['/bitrix24/app/assets/b24jssdk.js', '/bitrix24/app/assets/install.js'])
  for (const src of scripts) {
    const asset = await app.inject({ method: 'GET', url: src })
    t.equal(asset.statusCode, 200, src)
    t.match(asset.headers['content-type'], /^text\/javascript/)
    t.match(asset.headers['cache-control'], /immutable/)
  }
  t.match((await app.inject({ method: 'GET', url: scripts[0] ?? '' })).body, /B24Js/, 'the vendor SDK bundle')
  t.match((await app.inject({ method: 'GET', url: scripts[1] ?? '' })).body, /installFinish/)
  t.equal((await app.inject({ method: 'GET', url: '/bitrix24/app/assets/nope.js' })).statusCode, 404)

  const check = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: TOKEN } }) })
  t.equal(check.statusCode, 200)
  t.equal(check.headers['x-frame-options'], 'SAMEORIGIN', 'connector routes keep refusing frames')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).headers['x-frame-options'], 'SAMEORIGIN')
  const refused = await app.inject({ method: 'POST', url: '/bitrix24/install', payload: 'AUTH_ID=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(refused.statusCode, 400, 'a refused install page is an error, not a page')
  t.equal(refused.headers['x-frame-options'], 'SAMEORIGIN', 'and it is not framable')
})

t.test('page routes skip the shared secret and the IP allow-list; the connector routes keep both', async (t) => {
  const { portal, app } = await setup(t, { sharedSecret: 'a-long-shared-secret-0123456789', allowIps: ['10.0.0.0/8'] })
  const page = await app.inject({ method: 'POST', ...installForm(portal), remoteAddress: '203.0.113.9' })
  t.equal(page.statusCode, 200, 'the admin\'s browser opens the install page from anywhere, without the secret')
  t.equal((await app.inject({ method: 'GET', url: '/bitrix24/app/assets/install.js', remoteAddress: '203.0.113.9' })).statusCode, 200)
  const check = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: TOKEN } }), remoteAddress: '203.0.113.9' })
  t.equal(check.statusCode, 403)
  const unknown = await app.inject({ method: 'GET', url: '/bitrix24/app/nothing', remoteAddress: '203.0.113.9' })
  t.equal(unknown.statusCode, 403, 'an unmatched path below the page prefix is guarded')
})

t.test('install pages are limited per client address', async (t) => {
  const { portal, app } = await setup(t, {}, { pagesPerMinute: 2 })
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'POST', ...installForm(portal), remoteAddress: '198.51.100.1' })).statusCode)
  t.same(statuses, [200, 200, 429])
  t.equal((await app.inject({ method: 'POST', ...installForm(portal), remoteAddress: '198.51.100.2' })).statusCode, 200, 'another address is counted apart')
})
