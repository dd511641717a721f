import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'
import { scratchFolder, serve, type Served } from './served.js'

// Finding 2 (forged install events) and the install rows of finding 9, against `b24bi serve` with the install flow
// on (file token store), the vendor's OAuth server played by the fake portal. Loopback portals are allowed
// (B24BI_PORTAL_HOSTS=127.0.0.1, plain http) so the real portal can install: only the event's verification stands
// between a forger and the network.
const REFUSED = { error: 'B24BI_ERR_INSTALL_FORBIDDEN', message: 'The application event was refused: the event could not be verified' }

/** A loopback HTTP service standing for something inside the network; it records every request it gets. */
async function internalService (t: Test): Promise<{ port: number, requests: string[] }> {
  const requests: string[] = []
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''}`)
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ error: 'internal_admin_api', error_description: 'cluster=prod-db-7 admin=enabled' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => await new Promise((resolve) => server.close(resolve)))
  return { port: (server.address() as { port: number }).port, requests }
}

async function installServer (t: Test): Promise<{ server: Served, portal: FakePortal, handler: string, tokensFile: string }> {
  const portal = await FakePortal.start()
  t.teardown(async () => await portal.close())
  const tokensFile = join(scratchFolder(t, 'b24bi-attack-install-'), 'tokens.json')
  const server = await serve(t, {
    CONNECTOR_TOKEN: 'install-attack-token',
    B24BI_CLIENT_ID: portal.clientId,
    B24BI_CLIENT_SECRET: portal.clientSecret,
    B24BI_PUBLIC_URL: 'https://bi.example.com',
    B24BI_TOKEN_STORE: `file:${tokensFile}`,
    B24BI_SINGLE_INSTANCE: '1', // the file store serves one replica
    B24BI_OAUTH_SERVER: portal.oauthServer,
    B24BI_OAUTH_REST_SERVER: portal.oauthRestServer,
    B24BI_PORTAL_HOSTS: '127.0.0.1',
    B24BI_PORTAL_HTTP: 'true'
  })
  return { server, portal, handler: `${server.url}/bitrix24/install`, tokensFile }
}

function stored (tokensFile: string): string {
  return existsSync(tokensFile) ? readFileSync(tokensFile, 'utf8') : ''
}

t.test('forged ONAPPINSTALL events against a running server: no request but the OAuth check, nothing stored, a fixed coded 403; then the real portal installs', async (t) => {
  const internal = await internalService(t)
  const { portal, handler, tokensFile } = await installServer(t)

  // a) and b) of the review: a "portal" on a loopback port, with tokens the attacker made up.
  const forged = await portal.install(handler, {
    domain: `127.0.0.1:${internal.port}`,
    client_endpoint: `http://127.0.0.1:${internal.port}/rest/`,
    access_token: 'forged-at',
    refresh_token: 'forged-rt',
    application_token: 'attacker-apptoken',
    member_id: 'victim_member_0001'
  })
  t.equal(forged.status, 403, forged.body)
  t.same(JSON.parse(forged.body), REFUSED, 'a code and a fixed message: nothing of the upstream answer (d) reflected')
  t.same(internal.requests, [], 'the loopback service named by the event got no request')
  t.equal(portal.appInfoCalls, 1, 'the one outbound request: app.info at the configured OAuth server')
  t.same(portal.calls, [], 'no REST call to any portal')
  t.equal(stored(tokensFile).includes('victim_member_0001'), false, 'nothing stored')

  // b) a client_endpoint with a chosen path and query: refused before any network call.
  const path = await portal.install(handler, {
    domain: `127.0.0.1:${internal.port}`,
    client_endpoint: `http://127.0.0.1:${internal.port}/admin/delete-everything?confirm=yes#`,
    access_token: 'forged-at',
    member_id: 'sa_sec_ssrf1'
  })
  t.equal(path.status, 400, path.body)
  t.equal(JSON.parse(path.body).error, 'B24BI_ERR_INSTALL_INVALID')
  t.equal(portal.appInfoCalls, 1, 'not even the OAuth server was asked')

  // c) a port scan: every port answers the same fixed 403, whatever is listening there.
  const scans = await Promise.all([1, 5432, internal.port].map(async (port) => await portal.install(handler, {
    domain: `127.0.0.1:${port}`, client_endpoint: `http://127.0.0.1:${port}/rest/`, access_token: `forged-${port}`, member_id: `sa_sec_scan${port}`
  })))
  t.same(scans.map((answer) => [answer.status, answer.body]), scans.map(() => [403, JSON.stringify(REFUSED)]), 'no port or status oracle')

  // e) squatting: a real access token of this application sent with another portal's member_id.
  const squat = await portal.install(handler, { member_id: 'victim_member_0002' })
  t.equal(squat.status, 403)
  t.same(JSON.parse(squat.body), REFUSED)
  t.same(internal.requests, [], 'still no request inside the network')
  t.same(portal.calls, [], 'still no REST call')
  t.equal(stored(tokensFile), '', 'the token store was never written')

  const real = await portal.install(handler)
  t.equal(real.status, 200, `the real portal installs: ${real.body}`)
  const file = stored(tokensFile)
  t.ok(file.includes(portal.memberId), 'and only it is stored')
  t.notMatch(file, /victim_member|sa_sec_|forged-/, 'no forged entry')
})

t.test('edge inputs of the install route answer coded 4xx, not 500 (finding 9)', async (t) => {
  const { server } = await installServer(t)
  const object = await fetch(`${server.url}/bitrix24/install`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: { toString: 1 }, auth: {} })
  })
  t.equal(object.status, 400, 'an event sent as an object')
  t.equal((await object.json() as { error: string }).error, 'B24BI_ERR_INSTALL_INVALID')
  const big = await fetch(`${server.url}/bitrix24/install`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'event=ONAPPINSTALL&pad=' + 'x'.repeat(1024 * 1024)
  })
  t.equal(big.status, 413, 'a body over 1 MiB')
  t.equal((await big.json() as { error: string }).error, 'B24BI_ERR_REQUEST_TOO_LARGE')
  t.notMatch(server.stderr(), /"level":50/, 'no error-level log line for either')
})

t.test('a flood of forged install events from one address: 30 refused after one OAuth check each, then coded 429s with no outbound call (f: store growth)', async (t) => {
  const internal = await internalService(t)
  const { portal, handler, tokensFile } = await installServer(t)
  const statuses: string[] = []
  for (let i = 0; i < 40; i++) {
    const answer = await portal.install(handler, {
      domain: `127.0.0.1:${internal.port}`, client_endpoint: `http://127.0.0.1:${internal.port}/rest/`, access_token: `forged-${i}`, member_id: `sa_sec_flood_${i}`
    })
    statuses.push(`${answer.status} ${String(JSON.parse(answer.body).error)}`)
  }
  t.comment(`40 forged events: ${JSON.stringify(Object.fromEntries([...new Set(statuses)].map((status) => [status, statuses.filter((s) => s === status).length])))}; OAuth checks ${portal.appInfoCalls}`)
  t.same(statuses, [...Array(30).fill('403 B24BI_ERR_INSTALL_FORBIDDEN'), ...Array(10).fill('429 B24BI_ERR_RATE_LIMITED')], 'the default 30 a minute per address')
  t.equal(portal.appInfoCalls, 30, 'a refused-by-limit event makes no outbound call at all')
  t.same(internal.requests, [])
  t.equal(stored(tokensFile), '', 'nothing stored')
})
