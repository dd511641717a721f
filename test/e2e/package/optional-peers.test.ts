import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'

// The opt-in features' packages are optional peer dependencies. A copy of the built package whose node_modules has
// everything but them shows what a user without them gets: the server, the demo and the connector plugin work; the
// docs plugin, the install flow and the conformance kit each fail at start with B24BI_ERR_DRIVER_MISSING naming the
// package to install.
const repo = resolve(import.meta.dirname, '../../..')
const OPTIONAL = ['fast-check', '@fastify/swagger', '@fastify/swagger-ui', '@bitrix24/b24jssdk']

/** The built package in a temporary folder, its node_modules linking every installed package but `OPTIONAL`. */
async function packageWithout (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'b24bi-optional-peers-'))
  for (const part of ['src', 'plugins', 'adapters']) await cp(join(repo, 'dist', part), join(dir, 'dist', part), { recursive: true })
  await cp(join(repo, 'package.json'), join(dir, 'package.json'))
  const linkAll = async (from: string, to: string, prefix: string): Promise<void> => {
    await mkdir(to, { recursive: true })
    for (const entry of await readdir(from)) {
      const name = prefix + entry
      if (entry === '.bin' || entry.startsWith('.') || OPTIONAL.includes(name)) continue
      if (entry.startsWith('@')) await linkAll(join(from, entry), join(to, entry), `${entry}/`)
      else await symlink(join(from, entry), join(to, entry), 'dir')
    }
  }
  await linkAll(join(repo, 'node_modules'), join(dir, 'node_modules'), '')
  return dir
}

const CHECK = `
import Fastify from 'fastify'
import b24bi, { Adapter } from 'b24bi'
import { buildServer } from 'b24bi/server'
import { installPlugin } from 'b24bi/plugins'
import { MemoryTokenStore } from 'b24bi/bitrix'
import { runConformance } from 'b24bi/testing'

class One extends Adapter {
  async listTables () { return [{ code: 'one', title: 'One' }] }
  async describeTable (table) { return table === 'one' ? [{ code: 'N', type: 'int' }] : undefined }
  async * readRows () { yield [[1]] }
}
const failure = async (run) => { try { await run(); return 'no error' } catch (error) { return { code: error.code, message: error.message } } }
const out = {}
for (const name of ${JSON.stringify(OPTIONAL)}) out[name] = await import(name).then(() => 'found', () => 'missing')

const plugin = Fastify()
await plugin.register(b24bi, { adapter: new One() })
out.plugin = (await plugin.inject({ method: 'POST', url: '/api/table_list', payload: { connection: {} } })).json()
await plugin.close()

const server = await buildServer({ adapter: new One(), logger: false })
out.server = (await server.inject({ method: 'POST', url: '/api/data', payload: { connection: {}, table: 'one' } })).json()
await server.close()

out.docs = await failure(async () => await buildServer({ adapter: new One(), logger: false, docs: true }))
out.install = await failure(async () => {
  const app = Fastify()
  await app.register(installPlugin, {
    tokens: new MemoryTokenStore(),
    application: { clientId: 'local.1', clientSecret: 'secret' },
    connector: { title: 'One', publicUrl: 'https://bi.example.com/', settings: [] }
  })
  await app.ready()
})
out.kit = await failure(async () => await runConformance({ adapter: new One(), connection: {} }))
const skipped = await runConformance({ adapter: new One(), connection: {}, skip: ['differential', 'throughput', 'memory'] })
out.kitWithoutDifferential = skipped.findings.some((finding) => finding.check === 'describe' && finding.ok)
console.log(JSON.stringify(out))
`

/** Runs `args` with node in `cwd`; resolves with the exit code and what it printed. */
async function node (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}

t.test('without the opt-in packages: the plugin and the server serve; docs, install and the kit name what to install', async (t) => {
  const dir = await packageWithout()
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'check.mjs'), CHECK)
  const run = await node(dir, ['check.mjs'])
  t.equal(run.code, 0, run.stderr)
  const out = JSON.parse(run.stdout) as Record<string, unknown>
  t.same(OPTIONAL.map((name) => out[name]), OPTIONAL.map(() => 'missing'), 'none of them resolves from the copy')
  t.same(out.plugin, [{ code: 'one', title: 'One' }], 'fastify.register(b24bi, { adapter }) serves')
  t.same(out.server, [['N'], ['1']], 'buildServer serves')
  const missing = (name: string): object => ({ code: 'B24BI_ERR_DRIVER_MISSING', message: `The package '${name}' is not installed; it is an optional peer dependency of b24bi: npm install ${name}` })
  t.match(out.docs, missing('@fastify/swagger'), 'docs: true names swagger')
  t.match(out.install, missing('@bitrix24/b24jssdk'), 'the install plugin names the JS SDK')
  t.match(out.kit, missing('fast-check'), 'the conformance kit names fast-check before it starts a server')
  t.equal(out.kitWithoutDifferential, true, 'the kit runs without fast-check when the differential check is skipped')
})

t.test('without the opt-in packages, b24bi serve starts the demo and answers', async (t) => {
  const dir = await packageWithout()
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const port = await new Promise<number | undefined>((resolve) => {
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/api\/data/.exec(stdout)
      if (match !== null) resolve(Number(match[1]))
    })
    child.once('exit', () => resolve(undefined))
  })
  t.ok(port !== undefined, `serve listens: ${stderr.slice(-2000)}`)
  const answer = await fetch(`http://127.0.0.1:${port}/api/table_list`, { method: 'POST', body: 'connection[token]=demo', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(answer.status, 200)
  t.match(await answer.json(), [{ code: 'activities' }], "the demo's tables")
})
