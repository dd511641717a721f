import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import qs from 'qs'
import t, { type Test } from 'tap'
import { FakePortal } from '../fake-portal/fake-portal.js'
import { runCli } from './cli-harness.js'

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

const registerArgs = (publicUrl: string): string[] => ['register', '--title', 'Warehouse', '--public-url', publicUrl, '--setting', 'token:Access token']

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
  t.match(tty.stdout, /\u001b\[32m✔/)
  const plain = await runCli([...registerArgs(publicUrl)], env)
  t.notMatch(plain.stdout, /\u001b/)
  const noColor = await runCli([...registerArgs(publicUrl)], { ...env, NO_COLOR: '1' }, { tty: true })
  t.notMatch(noColor.stdout, /\u001b/)
})

t.test('--help on every portal command', async (t) => {
  for (const name of ['register', 'connectors', 'sources']) {
    const run = await runCli([name, '--help'])
    t.equal(run.code, 0)
    t.match(run.stdout, new RegExp(`^Usage: b24bi ${name}`))
    t.match(run.stdout, /--webhook URL/)
  }
  t.match((await runCli(['--help'])).stdout, /register\s+Register/)
})
