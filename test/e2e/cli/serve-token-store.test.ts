import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import pg from 'pg'
import { POSTGRES } from '../../helpers/services.js'

// `b24bi serve` with the install flow on: its token store must be shared by every replica (PostgreSQL, Redis) unless
// the connector runs as a single instance, and it is proved writable before the adapter, any route or the listener.

// The built CLI (npm test builds first): a start through tap's TypeScript loader takes ~20 s here, the build ~1 s.
const MAIN = new URL('../../../dist/src/cli/main.js', import.meta.url).pathname
const SCHEMA = 'b24bi_deploy_serve'

type Outcome = { listening: true, port: number, stderr: () => string } | { listening: false, code: number | null, stdout: string, stderr: string }

/** A tiny adapter module that leaves a mark when constructed: the proof that the start got that far. */
async function workspace (t: Test): Promise<{ dir: string, adapter: string, mark: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-deploy-serve-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const mark = join(dir, 'adapter-constructed')
  const adapter = join(dir, 'adapter.mjs')
  await writeFile(adapter, `import { writeFileSync } from 'node:fs'
    export default class Tiny {
      settings = [{ code: 'token', name: 'Token', type: 'STRING' }]
      constructor () { writeFileSync(${JSON.stringify(mark)}, '') }
      async init () {} async check (context) { return context.connection.token === 'ok' } capabilities () { return {} }
      async ready () { return true } async close () {}
      async listTables () { return [{ code: 'numbers', title: 'Numbers' }] }
      async describeTable (table) { return table === 'numbers' ? [{ code: 'N', type: 'int' }] : undefined }
      async * readRows () { yield [[1]] }
    }`)
  return { dir, adapter, mark }
}

/** Runs the built `b24bi serve` in `cwd`; resolves once it listens or has exited. */
async function serve (t: Test, cwd: string, adapter: string, env: Record<string, string>): Promise<Outcome> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build --silent first`)
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    cwd,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      B24BI_ADAPTER: 'module',
      B24BI_ADAPTER_MODULE: adapter,
      B24BI_CLIENT_ID: 'local.deploy',
      B24BI_CLIENT_SECRET: 'deploy-secret',
      B24BI_PUBLIC_URL: 'https://bi.example.com',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return await new Promise<Outcome>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/api\/data/.exec(stdout)
      if (match !== null) resolve({ listening: true, port: Number(match[1]), stderr: () => stderr })
    })
    child.once('exit', (code) => resolve({ listening: false, code, stdout, stderr }))
  })
}

/** The install route answers (a 400 for an empty event), so the flow is on. */
async function installRouteStatus (port: number): Promise<{ status: number, code: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}/bitrix24/install`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
  return { status: response.status, code: ((await response.json()) as { error?: unknown }).error }
}

/** The URL with every unqualified name in `schema` (the store's tables are created there). */
function inSchema (url: string, schema: string): string {
  return `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
}

t.test('the default file store is refused without singleInstance: a coded error naming the fix, before the adapter or the listener', async (t) => {
  const { dir, adapter, mark } = await workspace(t)
  const outcome = await serve(t, dir, adapter, {})
  t.equal(outcome.listening, false, 'serve did not listen')
  if (outcome.listening) return
  t.equal(outcome.code, 1, 'serve exited with 1')
  t.match(outcome.stderr, /^b24bi: B24BI_ERR_TOKEN_STORE_NOT_SHARED: The token store 'file:\.b24bi\/tokens\.json' serves one replica only: /)
  t.match(outcome.stderr, /install\.tokenStore \(B24BI_TOKEN_STORE\) to postgres:\/\/\.\.\. or redis:\/\/\.\.\./, 'it names the shared stores')
  t.match(outcome.stderr, /install\.singleInstance \(B24BI_SINGLE_INSTANCE=1\)/, 'it names the single-instance flag')
  t.notMatch(outcome.stdout, /api\/data/, 'no banner')
  t.equal(existsSync(mark), false, 'the adapter was never constructed')
  t.equal(existsSync(join(dir, '.b24bi')), false, 'nothing was written')
})

t.test('the file store is accepted with B24BI_SINGLE_INSTANCE=1: its folder is proved writable and the install routes serve', async (t) => {
  const { dir, adapter, mark } = await workspace(t)
  const outcome = await serve(t, dir, adapter, { B24BI_SINGLE_INSTANCE: '1', B24BI_TOKEN_STORE: 'file:state/tokens.json' })
  t.equal(outcome.listening, true, outcome.listening ? 'listening' : outcome.stderr)
  if (!outcome.listening) return
  t.equal(existsSync(join(dir, 'state')), true, "the start-up check created the store's folder")
  t.equal(existsSync(mark), true, 'the adapter runs')
  t.same(await installRouteStatus(outcome.port), { status: 400, code: 'B24BI_ERR_INSTALL_INVALID' }, 'POST /bitrix24/install is served')
})

t.test('an unwritable token store stops the start with a coded error, before the adapter or the listener', async (t) => {
  const { dir, adapter, mark } = await workspace(t)
  // A regular file where the store's folder should be: not writable even for root (the CI runs as root).
  await writeFile(join(dir, 'occupied'), '')
  const file = await serve(t, dir, adapter, { B24BI_SINGLE_INSTANCE: 'true', B24BI_TOKEN_STORE: `file:${join(dir, 'occupied', 'tokens.json')}` })
  t.equal(file.listening, false, 'serve did not listen')
  if (file.listening) return
  t.equal(file.code, 1)
  t.match(file.stderr, /^b24bi: B24BI_ERR_TOKEN_STORE_UNWRITABLE: The token store cannot be written: the folder '.*occupied' of the token file is not writable \((ENOTDIR|EEXIST)\)/)
  t.notMatch(file.stdout, /api\/data/, 'no banner')
  t.equal(existsSync(mark), false, 'the adapter was never constructed')

  // A PostgreSQL store whose tables cannot be created (no schema to create them in): the same, with the SQLSTATE.
  const url = inSchema(POSTGRES.url, `${SCHEMA}_missing`)
  const database = await serve(t, dir, adapter, { B24BI_TOKEN_STORE: url })
  t.equal(database.listening, false, 'serve did not listen')
  if (database.listening) return
  t.equal(database.code, 1, 'serve exited with 1 (the store was closed, nothing kept the process alive)')
  t.match(database.stderr, /^b24bi: B24BI_ERR_TOKEN_STORE_UNWRITABLE: The token store cannot be written: a PostgreSQL write was refused \(3F000\)/)
  t.notMatch(database.stderr, /postgres:\/\//, 'the URL is not printed')
  t.equal(existsSync(mark), false, 'the adapter was never constructed')
})

/** One statement on a connection of its own (nothing held open across the test for the server to drop). */
async function sql (url: string, text: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {}) // a dropped connection fails the query below instead of the process
  await client.connect()
  try {
    return (await client.query(text, values)).rows
  } finally {
    await client.end()
  }
}

t.test('a PostgreSQL token store is accepted without singleInstance: its tables exist before the first install', async (t) => {
  const base = POSTGRES.url
  await sql(base, `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
  await sql(base, `CREATE SCHEMA ${SCHEMA}`)
  t.teardown(async () => { await sql(base, `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`) })
  const { dir, adapter } = await workspace(t)
  const outcome = await serve(t, dir, adapter, { B24BI_TOKEN_STORE: inSchema(base, SCHEMA) })
  t.equal(outcome.listening, true, outcome.listening ? 'listening' : outcome.stderr)
  if (!outcome.listening) return
  const rows = await sql(base, 'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [SCHEMA])
  t.same(rows.map((row) => row.table_name), ['b24bi_portal_tokens', 'b24bi_portal_tokens_locks'], 'the start-up check created the tables')
  t.same(await installRouteStatus(outcome.port), { status: 400, code: 'B24BI_ERR_INSTALL_INVALID' }, 'POST /bitrix24/install is served')
  t.equal(existsSync(join(dir, '.b24bi')), false, 'no token file')
})
