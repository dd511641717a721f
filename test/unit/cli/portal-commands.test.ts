import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import qs from 'qs'
import t, { type Test } from 'tap'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'
import { runCli } from '../../helpers/cli-harness.js'

/** A stand-in connector whose urlCheck accepts the token "good". */
async function checkEndpoint (t: Test): Promise<string> {
  const app = Fastify()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, qs.parse(String(body))))
  app.post('/api/check', async (request, reply) => {
    const token = (request.body as { connection?: { token?: string } }).connection?.token
    return token === 'good' ? { status: 'ok' } : await reply.code(401).send({ error: 'B24BI_ERR_AUTH_REJECTED' })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => await app.close())
  const address = app.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
}

async function setup (t: Test): Promise<{ portal: FakePortal, env: NodeJS.ProcessEnv, file: string, given: string[], publicUrl: string }> {
  const portal = await FakePortal.start()
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-cli-'))
  t.teardown(async () => {
    await portal.close()
    await rm(dir, { recursive: true, force: true })
  })
  const file = join(dir, 'tokens.json')
  const env = { B24BI_CLIENT_ID: portal.clientId, B24BI_CLIENT_SECRET: portal.clientSecret, B24BI_OAUTH_SERVER: portal.oauthServer, B24BI_TOKEN_STORE: `file:${file}` }
  const { accessToken, refreshToken } = portal.issueTokens()
  const given = ['--domain', portal.domain, '--member-id', portal.memberId, '--access-token', accessToken, '--refresh-token', refreshToken]
  return { portal, env, file, given, publicUrl: await checkEndpoint(t) }
}

const registerArgs = (publicUrl: string): string[] => ['register', '--title', 'Warehouse', '--public-url', publicUrl, '--setting', 'token:Access token', '--allow-private-url']

t.test('register refuses a loopback or private public URL unless --allow-private-url, before any call', async (t) => {
  const { portal, env, given } = await setup(t)
  for (const url of ['http://127.0.0.1:3000', 'http://localhost:3000', 'https://10.1.2.3', 'https://[::1]:8443', 'https://192.168.0.10']) {
    const run = await runCli(['register', '--title', 'W', '--public-url', url, '--setting', 'token:Token', ...given], env)
    t.equal(run.code, 1, url)
    t.match(run.stderr, /the portal cannot call it .*\[B24BI_ERR_PUBLIC_URL_PRIVATE\]/, url)
  }
  t.match((await runCli(['register', '--title', 'W', '--public-url', 'http://127.0.0.1:3000', '--setting', 'token:Token', ...given], env)).stderr, /'127\.0\.0\.1' is a loopback address/)
  t.same(portal.calls, [], 'nothing was sent to the portal')
  t.equal(portal.state.connectors.size, 0)
})

t.test('register checks lengths before sending and reports portal refusals with their code', async (t) => {
  const { portal, env, given, publicUrl } = await setup(t)
  const long = await runCli(['register', '--title', 'x'.repeat(513), '--public-url', publicUrl, '--setting', 'token:Token', '--allow-private-url', ...given], env)
  t.match(long, { code: 1, stderr: /connector's title is invalid: 513 characters, the portal takes at most 512 \[B24BI_ERR_CONNECTOR_INVALID\]/ })
  const setting = await runCli(['register', '--title', 'W', '--public-url', publicUrl, '--setting', `${'c'.repeat(512)}:Token`, '--allow-private-url', ...given], env)
  t.match(setting, { code: 1, stderr: /B24BI_ERR_CONNECTOR_INVALID/ })
  const code = await runCli(['register', '--title', 'W', '--public-url', publicUrl, '--setting', 'token:Token', '--source-code', 's'.repeat(65), '--allow-private-url', ...given], env)
  t.match(code, { code: 1, stderr: /sourceCode is invalid/ })
  t.same(portal.calls, [], 'nothing was sent')
  portal.refuseNext('biconnector.connector.add', 'VALIDATION_SETTINGS_INVALID_TYPE', 'Parameter "type" is not correct.')
  const refused = await runCli([...registerArgs(publicUrl), ...given], env)
  t.equal(refused.code, 1)
  t.match(refused.stderr, /biconnector\.connector\.add answered VALIDATION_SETTINGS_INVALID_TYPE: Parameter "type" is not correct\./)
  t.notMatch(refused.stdout, /added/, 'no success printed')
  t.equal(portal.state.connectors.size, 0)
})

t.test('register sends supportMapping and sourceCode only when connector.fields knows them', async (t) => {
  const { portal, env, given, publicUrl } = await setup(t)
  const run = await runCli([...registerArgs(publicUrl), '--source-code', 'warehouse', '--json', ...given], env)
  t.equal(run.code, 0, run.stderr)
  t.match(portal.state.connectors.get(1), { supportMapping: true, sourceCode: 'warehouse' })
  await runCli([...registerArgs(publicUrl), '--no-support-mapping'], env)
  t.match(portal.state.connectors.get(1), { supportMapping: false })
  portal.state.connectorFields = ['title', 'logo', 'description', 'sort', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'settings']
  const old = await runCli([...registerArgs(publicUrl), '--source-code', 'warehouse', '--json'], env)
  t.equal(old.code, 0, old.stderr)
  t.same(JSON.parse(old.stdout), { id: 1, action: 'updated', title: 'Warehouse', omitted: ['supportMapping', 'sourceCode'] })
  t.match(old.stderr, /this portal does not know supportMapping, sourceCode; registered without them/)
})

t.test('connectors list reads every page (120 connectors), remove reports a refusal', async (t) => {
  const { portal, env, given, publicUrl } = await setup(t)
  await runCli([...registerArgs(publicUrl), ...given], env)
  const { id: _id, dateCreate: _created, ...first } = portal.state.connectors.get(1) ?? { id: 0, dateCreate: '' }
  for (let i = 2; i <= 120; i++) await portal.state.call('biconnector.connector.add', { fields: { ...first, title: `C${i}` } })
  const before = portal.calls.length
  const listed = await runCli(['connectors', 'list', '--json'], env)
  t.equal(listed.code, 0, listed.stderr)
  const ids = (JSON.parse(listed.stdout) as Array<{ id: number }>).map((item) => item.id)
  t.equal(ids.length, 120)
  t.equal(new Set(ids).size, 120)
  t.equal(portal.calls.slice(before).filter((call) => call.method === 'biconnector.connector.list').length, 3, 'pages 1, 2 and 3 (20 items, the short one) asked')
  const missing = await runCli(['connectors', 'remove', '999'], env)
  t.equal(missing.code, 1)
  t.match(missing.stderr, /CONNECTOR_NOT_FOUND/)
  t.notMatch(missing.stdout, /removed/)
})

t.test('register adds with given tokens, then updates with the stored ones', async (t) => {
  const { portal, env, file, given, publicUrl } = await setup(t)
  const first = await runCli([...registerArgs(publicUrl), ...given], env)
  t.equal(first.code, 0, first.stderr)
  t.match(first.stdout, /connector #1 'Warehouse' added/)
  t.match(first.stderr, /use an https:\/\/ public URL/, 'warns about a non-https public URL')
  t.equal(JSON.parse(await readFile(file, 'utf8')).portals[portal.memberId].domain, portal.domain, 'the given tokens are stored')
  const second = await runCli([...registerArgs(publicUrl), '--json'], env)
  t.equal(second.code, 0, second.stderr)
  t.same(JSON.parse(second.stdout), { id: 1, action: 'updated', title: 'Warehouse' })
  t.equal(portal.state.connectors.size, 1)
  t.same(portal.state.connectors.get(1)?.settings, [{ code: 'token', name: 'Access token', type: 'STRING' }])
  for (const output of [first.stdout, first.stderr, second.stdout]) {
    t.notMatch(output, portal.clientSecret)
    t.notMatch(output, given[5] as string)
  }
})

t.test('an expired token is renewed mid-way and the renewed pair persisted', async (t) => {
  const { portal, env, file, given, publicUrl } = await setup(t)
  await runCli([...registerArgs(publicUrl), ...given], env)
  const before = JSON.parse(await readFile(file, 'utf8')).portals[portal.memberId]
  portal.expireTokens()
  const listed = await runCli(['connectors', 'list', '--json'], env)
  t.equal(listed.code, 0, listed.stderr)
  t.match(JSON.parse(listed.stdout), [{ id: 1, title: 'Warehouse', urlCheck: `${publicUrl}/api/check` }])
  const after = JSON.parse(await readFile(file, 'utf8')).portals[portal.memberId]
  t.not(after.accessToken, before.accessToken)
  t.not(after.refreshToken, before.refreshToken)
  t.equal(portal.renewals, 1)
})

t.test('register through a webhook is refused by the portal with a clear message', async (t) => {
  const { portal, publicUrl } = await setup(t)
  const run = await runCli([...registerArgs(publicUrl), '--webhook', portal.webhookUrl])
  t.equal(run.code, 1)
  t.match(run.stderr, /biconnector\.connector\.list answered ACCESS_DENIED/)
})

t.test('usage mistakes exit 2 and say what is missing', async (t) => {
  const { env, given, publicUrl } = await setup(t)
  t.match(await runCli(['register', '--public-url', publicUrl, '--setting', 'token', ...given], env), { code: 2, stderr: /--title is required/ })
  t.match(await runCli(['register', '--title', 'x', '--public-url', publicUrl], env), { code: 2, stderr: /--setting or --adapter/ })
  t.match(await runCli(['register', '--bogus'], env), { code: 2, stderr: /Unknown option '--bogus'/ })
  t.match(await runCli(['connectors', 'explode'], env), { code: 2, stderr: /expected list or remove/ })
  t.match(await runCli(['connectors', 'list'], {}), { code: 2, stderr: /--client-id/ })
  t.match(await runCli(['connectors', 'list'], env), { code: 2, stderr: /no portal tokens are stored/ })
  t.match(await runCli(['sources', 'add', '--title', 'x', '--connector', 'abc', ...given], env), { code: 2, stderr: /--connector must be a positive integer/ })
})

t.test('connectors remove, sources add (the portal checks the connection), list and remove', async (t) => {
  const { portal, env, given, publicUrl } = await setup(t)
  await runCli([...registerArgs(publicUrl), ...given], env)
  const added = await runCli(['sources', 'add', '--connector', '1', '--title', 'Main', '--setting', 'token=good', '--json'], env)
  t.equal(added.code, 0, added.stderr)
  t.same(JSON.parse(added.stdout), { id: 2, title: 'Main', connectorId: 1 })
  t.equal(portal.state.checkCalls[0], 'connection%5Btoken%5D=good', 'the portal posted connection[token] form-encoded')
  const fromEnv = await runCli(['sources', 'add', '--connector', '1', '--title', 'From env', '--setting-env', 'token=SOURCE_TOKEN', '--json'], { ...env, SOURCE_TOKEN: 'good' })
  t.equal(fromEnv.code, 0, fromEnv.stderr)
  t.equal(portal.state.checkCalls[1], 'connection%5Btoken%5D=good', '--setting-env reads the value from the environment')
  await runCli(['sources', 'remove', String(JSON.parse(fromEnv.stdout).id)], env)
  t.match(await runCli(['sources', 'add', '--connector', '1', '--title', 'x', '--setting-env', 'token=UNSET_VAR'], env), { code: 2, stderr: /UNSET_VAR is not set/ })
  const refused = await runCli(['sources', 'add', '--connector', '1', '--title', 'Bad', '--setting', 'token=bad'], env)
  t.equal(refused.code, 1)
  t.match(refused.stderr, /SOURCE_CREATE_CONNECTION_ERROR/)
  const listed = await runCli(['sources', 'list', '--json'], env)
  t.match(JSON.parse(listed.stdout), [{ id: 2, title: 'Main', connectorId: 1 }])
  t.notMatch(listed.stdout, 'good', 'settings are not printed')
  const plain = await runCli(['sources', 'list'], env)
  t.match(plain.stdout, /^ID\s+TITLE\s+CONNECTOR\s+ACTIVE\n2\s+Main\s+1\s+true/)
  t.equal((await runCli(['sources', 'remove', '2'], env)).code, 0)
  t.equal(portal.state.sources.size, 0)
  t.match(await runCli(['connectors', 'remove', '1'], env), { code: 0, stdout: /connector #1 removed/ })
  t.match(await runCli(['connectors', 'list'], env), { code: 0, stdout: /No connectors/ })
})

t.test('colour and a spinner only on a TTY', async (t) => {
  const { env, given, publicUrl } = await setup(t)
  const tty = await runCli([...registerArgs(publicUrl), ...given], env, { tty: true })
  // eslint-disable-next-line no-control-regex -- the ANSI escape of colours
  t.match(tty.stdout, /\u001b\[32m✔/)
  const plain = await runCli([...registerArgs(publicUrl)], env)
  // eslint-disable-next-line no-control-regex -- the ANSI escape of colours
  t.notMatch(plain.stdout, /\u001b/)
  const noColor = await runCli([...registerArgs(publicUrl)], { ...env, NO_COLOR: '1' }, { tty: true })
  // eslint-disable-next-line no-control-regex -- the ANSI escape of colours
  t.notMatch(noColor.stdout, /\u001b/)
})

t.test('--help on every portal command', async (t) => {
  for (const name of ['register', 'connectors', 'sources', 'tables']) {
    const run = await runCli([name, '--help'])
    t.equal(run.code, 0)
    t.match(run.stdout, new RegExp(`^Usage: b24bi ${name}`))
    t.match(run.stdout, /--webhook URL/)
  }
  t.match((await runCli(['--help'])).stdout, /register\s+Register/)
})
