import t, { type Test } from 'tap'
import { phpFormEncode } from '../../../src/probe/php-form.js'
import { PageSessions } from '../../../src/bitrix/app-page/session.js'
import { PAGE_TOKEN } from '../../helpers/app-page/page-adapter.js'
import { startPageServer, type PageSetup } from '../../helpers/app-page/page-server.js'

async function setup (t: Test, options: Parameters<typeof startPageServer>[0] = {}): Promise<PageSetup> {
  const setup = await startPageServer(options)
  t.teardown(setup.close)
  return setup
}

/** Opens the app page the way the portal's frame posts it; returns the answer and the page session, if any. */
async function openPage (s: PageSetup, fields: Record<string, string> = {}, query: Record<string, string> = {}): Promise<{ status: number, html: string, headers: Headers, session?: string }> {
  const { accessToken, refreshToken, expiresIn } = s.portal.issueTokens()
  const url = `${s.base}/bitrix24/app?${new URLSearchParams({ DOMAIN: s.portal.domain, PROTOCOL: '0', LANG: 'en', APP_SID: 'sid', ...query })}`
  const body = phpFormEncode({ AUTH_ID: accessToken, AUTH_EXPIRES: String(expiresIn), REFRESH_ID: refreshToken, member_id: s.portal.memberId, status: 'L', PLACEMENT: 'LEFT_MENU', ...fields })
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
  const html = await response.text()
  const session = /<meta name="b24bi-session" content="([^"]+)">/.exec(html)?.[1]
  return { status: response.status, html, headers: response.headers, ...(session === undefined ? {} : { session }) }
}

async function api (s: PageSetup, path: string, session?: string, method = 'GET'): Promise<{ status: number, body: any, text: string }> {
  const response = await fetch(`${s.base}/bitrix24/app/api${path}`, { method, headers: session === undefined ? {} : { authorization: `Bearer ${session}` } })
  const text = await response.text()
  return { status: response.status, body: JSON.parse(text), text }
}

const ROUTES: Array<[string, string]> = [['GET', '/status'], ['GET', '/tables'], ['GET', '/tables/deals'], ['GET', '/tables/deals/preview'], ['GET', '/sources'], ['GET', '/activity'], ['POST', '/test'], ['POST', '/register'], ['POST', '/tables/create-missing']]

t.test('an admin gets the page with a session; the page is framable by the portal only', async (t) => {
  const s = await setup(t)
  const page = await openPage(s)
  t.equal(page.status, 200, page.html)
  t.ok(page.session, 'a page session in <meta>')
  t.equal(page.headers.get('x-frame-options'), null)
  t.match(page.headers.get('content-security-policy'), `frame-ancestors ${s.portal.url};`)
  t.equal(page.headers.get('set-cookie'), null, 'no cookies')
  t.match(page.html, /<section id="status"/)
  t.match(page.html, /assets\/app\.js/)
  const [, payload] = (page.session ?? '').split('.')
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())
  t.ok(claims.e <= Date.now() + 1800_000 + 1000 && claims.e > Date.now(), 'a short session')
  t.same(Object.keys(claims).sort(), ['a', 'e', 'm'], 'the session carries no token')
  const ru = await openPage(s, {}, { LANG: 'ru' })
  t.match(ru.html, /<html lang="ru">/)
  t.match(ru.html, /Состояние/)
})

t.test('every page API route: 401 without a valid session, 403 and no data for a non-admin session', async (t) => {
  const s = await setup(t)
  const sessions = new PageSessions(s.portal.clientSecret)
  const forged = new PageSessions('another secret').issue({ memberId: s.portal.memberId, admin: true, expiresAt: Date.now() + 60_000 })
  const expired = sessions.issue({ memberId: s.portal.memberId, admin: true, expiresAt: Date.now() - 1 })
  const user = sessions.issue({ memberId: s.portal.memberId, admin: false, expiresAt: Date.now() + 60_000 })
  const valid = (await openPage(s)).session ?? ''
  const tampered = valid.replace(/\.([^.]+)\./, (_, payload: string) => `.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), m: 'other' })).toString('base64url')}.`)
  for (const [method, path] of ROUTES) {
    for (const [label, session] of [['none', undefined], ['forged', forged], ['expired', expired], ['tampered', tampered], ['garbage', 'v1.x.y']] as const) {
      const answer = await api(s, path, session, method)
      t.equal(answer.status, 401, `${method} ${path} ${label}`)
      t.equal(answer.body.error, 'B24BI_ERR_PAGE_SESSION')
    }
    const answer = await api(s, path, user, method)
    t.equal(answer.status, 403, `${method} ${path} non-admin`)
    t.same(Object.keys(answer.body).sort(), ['error', 'message'], 'no data')
  }
})

t.test('a user who does not manage the application sees a notice and gets no session', async (t) => {
  const s = await setup(t)
  const { accessToken } = s.portal.issueTokens()
  s.portal.apps.nonAdminTokens.add(accessToken)
  const page = await openPage(s, { AUTH_ID: accessToken })
  t.equal(page.status, 200)
  t.match(page.html, /id="admins-only"/)
  t.equal(page.session, undefined)
  t.notMatch(page.html, /<section/)
})

t.test('refusals: a 403 page with a fixed reason code', async (t) => {
  const s = await setup(t)
  const cases: Array<[string, Record<string, string>, Record<string, string>, () => void]> = [
    ['malformed', { member_id: 'a b' }, {}, () => {}],
    ['unknown-portal', { member_id: 'member_unknown' }, {}, () => {}],
    ['domain-mismatch', {}, { DOMAIN: 'evil.example.com' }, () => {}],
    ['application-token-mismatch', { APPLICATION_TOKEN: 'not-the-token' }, {}, () => {}],
    ['auth-rejected', { AUTH_ID: 'forged_token_1234' }, {}, () => {}],
    ['wrong-application', {}, {}, () => { s.portal.apps.code = 'local.other.app' }],
    ['not-installed', {}, {}, () => { s.portal.apps.code = s.portal.clientId; s.portal.apps.installed = false }]
  ]
  const early = ['malformed', 'unknown-portal', 'domain-mismatch', 'application-token-mismatch']
  for (const [reason, fields, query, arrange] of cases) {
    arrange()
    const before = s.portal.calls.length
    const page = await openPage(s, fields, query)
    if (early.includes(reason)) t.equal(s.portal.calls.length, before, `${reason}: refused before any call to the portal`)
    t.equal(page.status, 403, reason)
    t.match(page.html, `data-reason="${reason}"`)
    t.equal(page.session, undefined)
    t.notMatch(page.html, /<script/, 'the refusal loads no script')
  }
  s.portal.apps.installed = true
  const matching = await openPage(s, { APPLICATION_TOKEN: s.portal.applicationToken })
  t.equal(matching.status, 200, 'the right APPLICATION_TOKEN passes')
})

t.test('status: registered connector, drift after the portal changes, gone after Re-register; OAuth and public URL', async (t) => {
  const s = await setup(t)
  const session = (await openPage(s)).session
  const status = (await api(s, '/status', session)).body
  t.match(status, { connector: { title: 'Warehouse', id: 1, registered: true, drift: [] }, oauth: { ok: true }, publicUrl: { ok: true, status: 200 } })
  t.match(status.server, { adapter: 'PageAdapter', timeZone: 'UTC', deadlineSeconds: 1, connection: true })
  const connector = s.portal.state.connectors.get(1)!
  connector.urlData = 'https://old.example.com/api/data?secret=hidden'
  connector.settings = [{ code: 'token', name: 'Token', type: 'INT' }]
  const drifted = (await api(s, '/status', session)).body
  t.same(drifted.connector.drift.map((item: { field: string }) => item.field), ['urlData', 'settings'])
  t.notMatch(JSON.stringify(drifted), /hidden/, 'URL queries are not shown')
  const registered = await api(s, '/register', session, 'POST')
  t.match(registered.body, { id: 1, action: 'updated', placement: { status: 'kept' } })
  t.same((await api(s, '/status', session)).body.connector.drift, [])
  s.portal.state.connectors.delete(1)
  t.match((await api(s, '/status', session)).body.connector, { registered: false, id: null })
})

t.test('tables, field warnings and a 20-row preview formatted as the portal receives it', async (t) => {
  const s = await setup(t)
  const session = (await openPage(s)).session
  const tables = (await api(s, '/tables', session)).body.tables
  t.same(tables.map((table: { code: string }) => table.code), ['deals', 'legacy', 'slow'])
  t.match(tables[1], { code: 'legacy', fields: 3, invalid: 2 })
  const legacy = (await api(s, '/tables/legacy', session)).body.fields
  t.match(legacy, [{ code: 'ID', type: 'int' }, { code: 'first name', suggestion: 'FIRST_NAME' }, { code: '1st_contact', suggestion: 'F_1ST_CONTACT' }])
  t.notOk('suggestion' in legacy[0])
  const preview = (await api(s, '/tables/deals/preview', session)).body
  t.equal(preview.rows.length, 20)
  t.same(preview.header, ['ID', 'TITLE', 'AMOUNT', 'CLOSED_AT', 'DAY'])
  t.same(preview.rows[0], ['1', '"Deal 1"', '1000.50', '"2026-01-02 09:30:05"', '"2026-01-02"'], 'JSON literals as the portal receives them')
  t.equal((await api(s, '/tables/deals/preview?limit=500', session)).body.rows.length, 30, 'the cap (50) is above the 30 rows')
  t.equal((await api(s, '/tables/deals/preview?limit=3', session)).body.rows.length, 3)
  t.equal((await api(s, '/tables/nope', session)).status, 404)
})

t.test('sources on this connector only, settings never sent; activity; the connection test', async (t) => {
  const s = await setup(t)
  const session = (await openPage(s)).session
  s.portal.state.sources.set(50, { id: 50, connectorId: 1, title: 'Main', settings: { token: PAGE_TOKEN }, active: true })
  s.portal.state.sources.set(51, { id: 51, connectorId: 99, title: 'Other', settings: { token: 'x' } })
  const sources = (await api(s, '/sources', session))
  t.same(sources.body.sources.map((source: { id: number }) => source.id), [50])
  t.match(sources.body.sources[0], { title: 'Main', active: true })
  t.notMatch(sources.text, PAGE_TOKEN)
  t.same(sources.body.tables, [], 'no portal table yet')
  t.same(sources.body.missing, ['deals', 'legacy', 'slow'])
  t.equal(sources.body.targetSourceId, 50)
  const created = (await api(s, '/tables/create-missing', session, 'POST')).body
  t.same(created.tables.map((table: { code: string, action: string }) => `${table.code}:${table.action}`), ['deals:added', 'legacy:added', 'slow:added'])
  const after = (await api(s, '/sources', session)).body
  t.same(after.missing, [], 'nothing missing any more')
  t.same(after.tables.map((table: { code: string, sourceId: number }) => `${table.code}@${table.sourceId}`), ['deals@50', 'legacy@50', 'slow@50'])
  t.same((await api(s, '/tables/create-missing', session, 'POST')).body.tables, [], 'idempotent')

  const slow = await fetch(`${s.base}/api/data`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: phpFormEncode({ connection: { token: PAGE_TOKEN }, table: 'slow' }) })
  await slow.text().catch(() => 'the deadline breaks the answer off')
  const activity = (await api(s, '/activity', session)).body
  t.match(activity.entries[0], { table: 'slow', kind: 'deadline', code: 'B24BI_ERR_DEADLINE', hint: /filter/ })
  t.ok(activity.entries[0].rows >= 1)
  t.match(activity.counts, { deadline: 1 })

  const report = (await api(s, '/test', session, 'POST')).body
  t.equal(report.baseUrl, s.base)
  t.ok(report.steps.some((step: { name: string }) => step.name === 'deals: preview'))
  t.equal(report.errors, report.steps.flatMap((step: { violations: Array<{ severity: string }> }) => step.violations).filter((v: { severity: string }) => v.severity === 'error').length)
})

t.test('no secret in any page, asset or API answer', async (t) => {
  const s = await setup(t)
  const page = await openPage(s)
  const tokens = await s.store.get(s.portal.memberId)
  const secrets = [PAGE_TOKEN, s.portal.clientSecret, s.portal.applicationToken, tokens!.accessToken, tokens!.refreshToken]
  const texts = [page.html]
  for (const file of ['app.js', 'app.css', 'install.js', 'b24jssdk.js']) texts.push(await (await fetch(`${s.base}/bitrix24/app/assets/${file}`)).text())
  for (const [method, path] of ROUTES) texts.push((await api(s, path, page.session, method)).text)
  for (const text of texts) for (const secret of secrets) t.notOk(text.includes(secret), `a secret (${secret.slice(0, 4)}…) leaked`)
  t.notOk(page.html.includes(/AUTH_ID/.source), 'AUTH_ID is not echoed')
})

t.test('LEFT_MENU placement: bound at install, idempotent on reinstall, install succeeds without the scope', async (t) => {
  const s = await setup(t)
  t.match(s.portal.apps.placements, [{ placement: 'LEFT_MENU', handler: `${s.base}/bitrix24/app`, title: 'Warehouse' }])
  t.equal((await s.portal.install(`${s.base}/bitrix24/install`)).status, 200)
  t.equal(s.portal.apps.placements.length, 1, 'a reinstall keeps one item')
  s.portal.apps.placements[0]!.handler = 'https://old.example.com/bitrix24/app'
  await s.portal.install(`${s.base}/bitrix24/install`)
  t.match(s.portal.apps.placements, [{ handler: `${s.base}/bitrix24/app` }], 'an older handler is re-bound')

  const bare = await setup(t, { installed: false })
  bare.portal.apps.scopes.delete('placement')
  const answer = await bare.portal.install(`${bare.base}/bitrix24/install`)
  t.equal(answer.status, 200, answer.body)
  t.equal(bare.portal.apps.placements.length, 0)
  t.equal(bare.portal.state.connectors.size, 1, 'the connector is registered anyway')
})

t.test('the page off: no page route, no placement', async (t) => {
  const s = await setup(t, { install: { page: false } })
  t.equal(s.portal.apps.placements.length, 0)
  const response = await fetch(`${s.base}/bitrix24/app`, { method: 'POST' })
  t.equal(response.status, 404)
})
