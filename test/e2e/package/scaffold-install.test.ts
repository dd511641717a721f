import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { eventually } from '../../helpers/eventually.js'

// Exactly what a newcomer does, from a clean temporary folder: b24bi init (from this checkout, which packs itself),
// npm install from the registry, npm test, then the scaffold's server answers /ready and /metrics. Slow (a real
// npm install); it proves the package installs without any database driver and without EBADENGINE.
const repo = resolve(import.meta.dirname, '../../..')
t.setTimeout(600_000) // the file, not only the test: npm install from the registry on a busy machine (38 s quiet)
const DRIVERS = ['pg', 'pg-cursor', 'mysql2', 'better-sqlite3', '@duckdb/node-api', '@clickhouse/client', 'ioredis']

// What a newcomer's shell has besides PATH and HOME: the CA bundle and proxy that reach the registry, and npm's own
// settings (the Node headers native addons build against). Nothing of this test run's own (tap, B24BI_*).
const PASSED_ON = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|npm_config_(nodedir|registry|cafile|cache|proxy|https_proxy|noproxy|strict_ssl))$/
function passedOn (): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => PASSED_ON.test(name)))
}

async function exec (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null, output: string }> {
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1', ...passedOn(), ...env }
  return await new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: clean })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.on('close', (code) => resolve({ code, output }))
  })
}

async function freePort (): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

t.test('b24bi init demo-x && cd demo-x && npm install && npm test passes; its server answers /ready and /metrics', { timeout: 600_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'b24bi-newcomer-'))
  t.teardown(async () => await rm(root, { recursive: true, force: true }))
  const init = await exec(process.execPath, [join(repo, 'dist/src/cli/main.js'), 'init', 'demo-x'], root)
  t.equal(init.code, 0, 'init succeeds')
  t.match(init.output, /packed into vendor\/b24bi-[\d.]+\.tgz/, 'from a checkout, init packs b24bi into the project')
  const project = join(root, 'demo-x')
  const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))
  t.match(pkg.dependencies.b24bi, /^file:vendor\/b24bi-[\d.]+\.tgz$/)

  const install = await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project)
  t.equal(install.code, 0, 'npm install succeeds')
  if (install.code !== 0) t.comment(install.output.slice(-3000))
  t.notMatch(install.output, /EBADENGINE/, 'no engine warning')
  const installed = new Set([...await readdir(join(project, 'node_modules')), ...(await readdir(join(project, 'node_modules/@duckdb')).catch(() => [])).map((name) => `@duckdb/${name}`),
    ...(await readdir(join(project, 'node_modules/@clickhouse')).catch(() => [])).map((name) => `@clickhouse/${name}`)])
  t.same(DRIVERS.filter((driver) => installed.has(driver)), [], 'no database driver is installed')

  const tested = await exec('npm', ['test', '--silent'], project)
  t.equal(tested.code, 0, "the scaffold's npm test passes right after npm install")
  if (tested.code !== 0) t.comment(tested.output.slice(-3000))
  t.match(tested.output, /no check failed/)

  const missing = await exec(process.execPath, ['--input-type=module', '-e', `
    const { PostgresAdapter } = await import('b24bi/postgres')
    const adapter = new PostgresAdapter({ url: 'postgres://127.0.0.1:1/x', token: 'a-long-token' })
    try { await adapter.listTables('', { connection: { token: 'a-long-token' }, log: console }) } catch (error) { console.log(error.code, error.message) }`], project)
  t.match(missing.output, /B24BI_ERR_DRIVER_MISSING The package 'pg' is not installed.*npm install pg/, 'a driver is asked for on first use, by name')

  const built = await exec('npm', ['run', 'build', '--silent'], project)
  t.equal(built.code, 0, 'the scaffold builds')
  const port = await freePort()
  const server = spawn(process.execPath, ['dist/src/server.js'], { cwd: project, env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', CONNECTOR_TOKEN: 'a-long-test-token-7f3a', LOG_LEVEL: 'warn' }, stdio: 'ignore' })
  t.teardown(() => { server.kill('SIGKILL') })
  let ready = 0
  await eventually(async () => {
    ready = await fetch(`http://127.0.0.1:${port}/ready`).then((answer) => answer.status, () => 0)
    return ready === 200
  }, 20_000)
  t.equal(ready, 200, '/ready')
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`)
  t.equal(metrics.status, 200, '/metrics')
  t.match(await metrics.text(), /b24bi_/)
})
