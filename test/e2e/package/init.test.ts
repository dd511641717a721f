import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { runCli } from '../../helpers/cli-harness.js'

const repo = resolve(import.meta.dirname, '../../..')

/** Runs a command with a clean environment (no tap or loader variables leak into the child). */
async function exec (command: string, args: string[], cwd: string): Promise<{ code: number | null, output: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1' }
  return await new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.on('close', (code) => resolve({ code, output }))
  })
}

/** A copy of b24bi as npm would install it: package.json, a fresh build in dist/, its dependencies. */
async function packedB24bi (root: string): Promise<string> {
  const dir = join(root, 'b24bi')
  await mkdir(dir, { recursive: true })
  await cp(join(repo, 'package.json'), join(dir, 'package.json'))
  // tsc emits even when a file elsewhere in the tree does not typecheck; what the scaffold needs is checked below.
  await exec(join(repo, 'node_modules/.bin/tsc'), ['-p', join(repo, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--sourceMap', 'false'], repo)
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

/** Links the scaffold's dependencies instead of downloading them: this repo's node_modules plus the packed b24bi. */
async function linkDependencies (project: string, b24bi: string): Promise<void> {
  const modules = join(project, 'node_modules')
  await mkdir(modules)
  for (const entry of await readdir(join(repo, 'node_modules'))) {
    if (entry !== 'b24bi') await symlink(join(repo, 'node_modules', entry), join(modules, entry), 'dir')
  }
  await symlink(b24bi, join(modules, 'b24bi'), 'dir')
}

t.test('init scaffolds a project whose own tests pass against this checkout', { timeout: 600_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'b24bi-init-'))
  t.teardown(async () => await rm(root, { recursive: true, force: true }))
  const b24bi = await packedB24bi(root)
  t.ok((await readdir(join(b24bi, 'dist/src/testing'))).includes('index.js'), 'b24bi/testing is built')

  const project = join(root, 'sales-connector')
  const created = await runCli(['init', project, '--json'], { B24BI_INIT_DEPENDENCY: `file:${b24bi}` })
  t.equal(created.code, 0, created.stderr)
  const summary = JSON.parse(created.stdout)
  t.match(summary, { name: 'sales-connector', adapter: 'SalesConnectorAdapter', b24bi: 'file:../b24bi' }, 'the path is written relative to the project')
  t.same([...summary.files].sort(), ['.dockerignore', '.gitignore', '.taprc', 'Dockerfile', 'README.md', 'package.json', 'src/adapter.ts', 'src/server.ts', 'test/adapter.test.ts', 'tsconfig.json'])
  const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))
  t.equal(pkg.dependencies.b24bi, 'file:../b24bi')
  t.match(pkg.dependencies.typebox, /^\^1\./, 'typebox, for typed tables')
  t.equal(pkg.scripts.test, 'tap')

  await linkDependencies(project, b24bi)
  const typecheck = await exec('npm', ['run', 'typecheck', '--silent'], project)
  t.equal(typecheck.code, 0, "the scaffold typechecks against b24bi's published types")
  if (typecheck.code !== 0) t.comment(typecheck.output)
  const tested = await exec('npm', ['test', '--silent'], project)
  t.equal(tested.code, 0, "the scaffold's npm test passes")
  if (tested.code !== 0) t.comment(tested.output.slice(-5000))
  t.match(tested.output, /no check failed/, 'it ran the conformance suite')

  const lint = await exec(join(repo, 'node_modules/.bin/dockerfilelint'), [join(project, 'Dockerfile')], project)
  t.equal(lint.code, 0, 'the Dockerfile lints clean')
  if (lint.code !== 0) t.comment(lint.output)
})

t.test('init refuses a non-empty directory, a bad name, and shows help', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'b24bi-init-'))
  t.teardown(async () => await rm(root, { recursive: true, force: true }))
  await writeFile(join(root, 'keep.txt'), 'x')
  t.match(await runCli(['init', root]), { code: 2, stderr: /is not empty/ })
  t.match(await runCli(['init', join(root, 'x'), '--name', 'Bad Name']), { code: 2, stderr: /not a valid npm package name/ })
  t.match(await runCli(['init']), { code: 2, stderr: /one target directory/ })
  t.match(await runCli(['init', join(root, 'y'), '--b24bi', 'file:/nonexistent/b24bi']), { code: 2, stderr: /does not exist/ })
  t.match(await runCli(['init', join(root, 'z'), '--b24bi', `file:${root}`]), { code: 2, stderr: /not a b24bi checkout/ })
  const forced = await runCli(['init', root, '--force', '--name', '@acme/9-lives'], { B24BI_INIT_DEPENDENCY: '^0.1.0' })
  t.equal(forced.code, 0, forced.stderr)
  t.match(await readFile(join(root, 'src/adapter.ts'), 'utf8'), /export class Connector9LivesAdapter extends Adapter/)
  t.equal(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).dependencies.b24bi, '^0.1.0', 'a registry version is used as given')
  t.match(forced.stdout, /npm install && npm test/)
  t.match(await runCli(['init', '--help']), { code: 0, stdout: /^Usage: b24bi init DIR/ })
})
