import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import t, { type Test } from 'tap'
import { chromium, type Browser, type Frame, type Page } from 'playwright-core'
import { createDemoAdapter } from '../../../src/cli/demo.js'
import { phpFormEncode } from '../../../src/probe/php-form.js'
import { exactStringify, parseExactJson, type ExactValue } from '../../../src/util/exact-json.js'
import { eventually } from '../../helpers/eventually.js'
import { DemoWithSlowTable } from '../../helpers/app-page/demo-page-adapter.js'
import { PAGE_TOKEN } from '../../helpers/app-page/page-adapter.js'
import { startPageServer, type PageSetup } from '../../helpers/app-page/page-server.js'

/**
 * The app page in a real browser (Debian's chromium, driven by playwright-core) inside the fake portal's frame
 * page, which POSTs the form into a named iframe and answers the vendor SDK's postMessage commands.
 * scripts/chromium.sh finds the browser (B24BI_CHROMIUM, else chromium or Chrome on the PATH); `npm run test:e2e`
 * and .ci/run install it first when missing. B24BI_SCREENSHOT says where the screenshot goes.
 */
const found = spawnSync('bash', [join(import.meta.dirname, '../../../scripts/chromium.sh'), 'find'], { encoding: 'utf8' })
const CHROMIUM = found.status === 0 ? found.stdout.trim() : undefined
const SCREENSHOT = resolve(process.env.B24BI_SCREENSHOT ?? join(tmpdir(), 'b24bi-app-page.png'))
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

if (CHROMIUM === undefined) {
  t.fail(found.stderr.trim())
} else {
  t.test('the app page in the portal frame', async (t) => {
    // A 3 s deadline: the slow feed stops at it, the demo's reads (the probe's too) finish well within it on a busy machine.
    const s = await startPageServer({ adapter: new DemoWithSlowTable(await createDemoAdapter({ token: PAGE_TOKEN })), server: { runtime: { deadlineSeconds: 3 } } })
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
    t.teardown(async () => {
      await browser.close()
      await s.close()
    })
    await run(t, s, browser)
  })
}

interface Watch {
  errors: string[]
  texts: string[]
  apiCalls: number
}

/** A page that records console errors, page errors and every answer body from the b24bi server. */
async function watched (browser: Browser, s: PageSetup): Promise<{ page: Page, watch: Watch }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
  const watch: Watch = { errors: [], texts: [], apiCalls: 0 }
  page.on('console', (message) => { if (message.type() === 'error') watch.errors.push(`${message.text()} (${message.location().url})`) })
  page.on('pageerror', (error) => watch.errors.push(error.message))
  page.on('response', (response) => {
    if (!response.url().startsWith(s.base)) return
    if (response.url().includes('/bitrix24/app/api/')) watch.apiCalls++
    response.text().then((text) => watch.texts.push(text), () => {})
  })
  return { page, watch }
}

function portalUrl (s: PageSetup, path: string, query: Record<string, string> = {}, origin = s.portal.url): string {
  return `${origin}/portal?${new URLSearchParams({ target: `${s.base}${path}`, ...query })}`
}

async function appFrame (page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('#app')
  for (let i = 0; i < 100; i++) {
    const frame = await handle.contentFrame()
    if (frame !== null && frame.url().startsWith('http')) return frame
    await page.waitForTimeout(50)
  }
  throw new Error('the app frame did not load')
}

async function portalCalls (page: Page): Promise<Array<{ method: string, args: Record<string, unknown> }>> {
  return await page.evaluate(() => (window as unknown as { portalCalls: Array<{ method: string, args: Record<string, unknown> }> }).portalCalls)
}

/** Calls a connector endpoint the way the portal does; the answer's text. */
async function connector (s: PageSetup, path: string, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${s.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: phpFormEncode({ connection: { token: PAGE_TOKEN }, ...body }) })
  return await response.text().catch(() => 'broken off')
}

async function run (t: Test, s: PageSetup, browser: Browser): Promise<void> {
  // What the page should show: the demo's tables, a deadline stop, a source on this connector.
  const tableCount = (JSON.parse(await connector(s, '/api/table_list', { searchString: '' })) as unknown[]).length
  const dealFields = (JSON.parse(await connector(s, '/api/table_description', { table: 'deals' })) as unknown[]).length
  const [, firstDeal = []] = parseExactJson(await connector(s, '/api/data', { table: 'deals', limit: 20 })) as ExactValue[][]
  const shown = firstDeal.map((value) => typeof value === 'string' ? value : exactStringify(value))
  await connector(s, '/api/data', { table: 'slow_feed' })
  s.portal.state.sources.set(40, { id: 40, connectorId: 1, title: 'Sales warehouse', settings: { token: PAGE_TOKEN }, active: true })

  await t.test('the install page is framable by the portal and calls installFinish', async (t) => {
    const { page, watch } = await watched(browser, s)
    await page.goto(portalUrl(s, '/bitrix24/install', { install: '1' }))
    await page.waitForFunction(() => (window as unknown as { installFinished?: boolean }).installFinished === true, undefined, { timeout: 15_000 })
    const frame = await appFrame(page)
    t.equal(await frame.getAttribute('body', 'data-install'), 'finished')
    t.ok((await portalCalls(page)).some((call) => call.method === 'setInstallFinish'))
    t.same(watch.errors, [], 'no console errors')
    await page.close()
  })

  await t.test('the admin page loads in the frame, fits it, shows the tables, a formatted preview, failures and the test', async (t) => {
    const { page, watch } = await watched(browser, s)
    await page.goto(portalUrl(s, '/bitrix24/app'))
    const frame = await appFrame(page)
    await frame.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 })
    t.equal(await frame.getAttribute('body', 'data-frame'), 'ready', 'the SDK handshake completed')
    const calls = await portalCalls(page)
    t.ok(calls.some((call) => call.method === 'getInitData'))
    t.ok(calls.some((call) => call.method === 'setTitle' && call.args.title === 'Warehouse'), 'setTitle with the connector title')
    t.equal(await page.title(), 'Warehouse')
    t.equal(await frame.getAttribute('#tables', 'data-count'), String(tableCount), 'the table count urlTableList answers')
    t.equal(await frame.textContent('#badge'), 'Up to date')
    t.equal(await frame.locator('#source-list tbody tr').count(), 1)
    await frame.click('#create-missing')
    await frame.waitForSelector(`#portal-tables tbody tr >> nth=${tableCount - 1}`)
    t.equal(await frame.locator('#portal-tables tbody tr').count(), tableCount, 'the missing portal tables were created')
    t.equal(await frame.locator('#create-missing').count(), 0)
    const failure = frame.locator('#activity-list tr[data-kind="deadline"]').first()
    t.match(await failure.textContent(), /slow_feed.*deadline/s, 'the deadline stop is listed')

    await frame.click('tr[data-table="deals"] button[data-action="fields"]')
    await frame.waitForSelector('#fields[data-table="deals"]')
    t.equal(await frame.locator('#fields tbody tr').count(), dealFields, 'the fields urlTableDescription answers')

    await frame.click('tr[data-table="deals"] button[data-action="preview"]')
    await frame.waitForSelector('#preview[data-table="deals"]')
    t.equal(await frame.getAttribute('#preview', 'data-rows'), '20')
    const first = await frame.locator('#preview tbody tr').first().locator('td').allTextContents()
    t.same(first, shown, 'values exactly as urlData answers the portal')
    t.ok(shown.length > 3)

    await frame.click('#run-test')
    await frame.waitForSelector('#test-result', { timeout: 60_000 })
    t.equal(await frame.getAttribute('#test-result', 'data-ok'), 'true', await frame.textContent('#test-report') ?? '')
    t.ok(await frame.locator('#test-steps tbody tr').count() >= 8, 'each probe step is shown')

    // The frame is as tall as its content (resizeWindow after every render).
    // resizeWindow is posted on the next animation frame after each render: poll until the heights agree.
    let height = 0
    let content = -1
    await eventually(async () => {
      height = await page.evaluate(() => parseInt((document.getElementById('app') as HTMLIFrameElement).style.height, 10))
      content = await frame.evaluate(() => document.documentElement.scrollHeight)
      return Math.abs(height - content) <= 2
    }, 5_000)
    t.ok(Math.abs(height - content) <= 2, `the frame fits its content (${height} px for ${content} px)`)
    t.ok(calls.length > 0 && (await portalCalls(page)).some((call) => call.method === 'resizeWindow'))

    mkdirSync(dirname(SCREENSHOT), { recursive: true })
    // A full-page capture leaves a cross-origin frame blank in headless mode: grow the viewport instead.
    await page.setViewportSize({ width: 1200, height: await page.evaluate(() => document.documentElement.scrollHeight) })
    await page.waitForTimeout(300)
    await page.screenshot({ path: SCREENSHOT })
    t.same(watch.errors, [], 'no console errors')
    await page.close()
  })

  await t.test('drift appears after the portal\'s connector changes and disappears after Re-register', async (t) => {
    const connector = s.portal.state.connectors.get(1)!
    connector.urlData = 'https://old.example.com/api/data'
    const { page, watch } = await watched(browser, s)
    await page.goto(portalUrl(s, '/bitrix24/app'))
    const frame = await appFrame(page)
    await frame.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 })
    t.equal(await frame.getAttribute('#badge', 'data-drift'), '1')
    t.equal(await frame.locator('#drift tr[data-field="urlData"]').count(), 1)
    await frame.click('#reregister')
    await frame.waitForSelector('#badge[data-drift="0"]')
    t.equal(await frame.textContent('#badge'), 'Up to date')
    t.equal(s.portal.state.connectors.get(1)?.urlData, `${s.base}/api/data`)
    t.same(watch.errors, [], 'no console errors')
    await page.close()
  })

  await t.test('a user who does not manage the application sees a notice and no data', async (t) => {
    const { page, watch } = await watched(browser, s)
    await page.goto(portalUrl(s, '/bitrix24/app', { admin: '0' }))
    const frame = await appFrame(page)
    await frame.waitForSelector('#admins-only')
    await frame.waitForSelector('body[data-frame="ready"]')
    t.equal(await frame.locator('#status, #tables, #activity').count(), 0)
    t.equal(watch.apiCalls, 0, 'no page API call')
    t.same(watch.errors, [], 'no console errors')
    await page.close()
  })

  await t.test('a forged AUTH_ID gets the 403 page', async (t) => {
    const { page } = await watched(browser, s)
    await page.goto(portalUrl(s, '/bitrix24/app', { forge: '1' }))
    const frame = await appFrame(page)
    await frame.waitForSelector('#denied')
    t.equal(await frame.getAttribute('#denied', 'data-reason'), 'auth-rejected')
    t.equal(await frame.locator('meta[name="b24bi-session"]').count(), 0)
    await page.close()
  })

  await t.test('another origin cannot frame the page', async (t) => {
    const { page, watch } = await watched(browser, s)
    const blocked = new Promise<string>((resolve) => {
      page.on('console', (message) => { if (/frame-ancestors|Refused to frame/i.test(message.text())) resolve(message.text()) })
      page.on('requestfailed', (request) => { if (request.url().startsWith(`${s.base}/bitrix24/app`)) resolve(request.failure()?.errorText ?? 'failed') })
    })
    await page.goto(portalUrl(s, '/bitrix24/app', {}, s.portal.url.replace('127.0.0.1', 'localhost')))
    t.match(await blocked, /frame-ancestors|ERR_BLOCKED_BY_RESPONSE/)
    const frame = (await (await page.waitForSelector('#app')).contentFrame())
    t.notOk(frame?.url().startsWith(s.base), 'the frame shows no app page')
    t.equal(watch.apiCalls, 0)
    await page.close()
  })

  await t.test('no secret in any HTML, asset or API answer the browser received', async (t) => {
    const { page, watch } = await watched(browser, s)
    await page.goto(portalUrl(s, '/bitrix24/app'))
    const frame = await appFrame(page)
    await frame.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 })
    await page.waitForTimeout(200)
    const tokens = await s.store.get(s.portal.memberId)
    const secrets = [PAGE_TOKEN, s.portal.clientSecret, s.portal.applicationToken, tokens!.accessToken, tokens!.refreshToken]
    t.ok(watch.texts.length >= 8, `${watch.texts.length} answers read`)
    for (const text of watch.texts) for (const secret of secrets) t.notOk(text.includes(secret), `secret ${secret.slice(0, 4)}… leaked`)
    await page.close()
  })
}
