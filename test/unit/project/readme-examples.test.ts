import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import ts from 'typescript'

// The README's code is code: every ```ts block of the README and docs/ whose first line names a file
// (`// holidays.ts`) is that file, compiled against b24bi's sources as a user's project compiles against the package,
// and the README's servers are started and called.

const root = resolve(import.meta.dirname, '../../..')
const read = (file: string): string => readFileSync(join(root, file), 'utf8')
const DOCS = ['README.md', 'docs/adapters.md', 'docs/configuration.md', 'docs/query-model.md', 'docs/deploy.md', 'docs/install-flow.md']

interface FileBlock { doc: string, name: string, source: string }

/** The ```ts blocks of `doc` whose first line is `// <name>.ts`. */
function fileBlocks (doc: string): FileBlock[] {
  return [...read(doc).matchAll(/```ts\n\/\/ ([\w-]+\.ts)\b[^\n]*\n([\s\S]*?)```/g)].map((match) => ({ doc, name: match[1]!, source: match[2]! }))
}

/** Each specifier the package exports (`b24bi`, `b24bi/server`, ...) and the source file behind it. */
function exportedSources (): Map<string, string> {
  const pkg = JSON.parse(read('package.json')) as { name: string, exports: Record<string, string | { types?: string }> }
  const sources = new Map<string, string>()
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string' || target.types === undefined) continue
    const specifier = subpath === '.' ? pkg.name : pkg.name + subpath.slice(1)
    sources.set(specifier, join(root, target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')))
  }
  return sources
}

const blocks = DOCS.flatMap(fileBlocks)
const sources = exportedSources()

t.test('the README starts with the two commands a stranger runs, and stays short', async (t) => {
  const readme = read('README.md')
  const commands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!.trim())
  t.same(commands.slice(0, 2), ['npm ci && npm start', 'npm test'])
  t.match(readme.slice(0, readme.indexOf('npm test')), /^## Run it$/m, 'both under the first section after the introduction')
  t.ok(readme.split('\n').length <= 250, `README.md has ${readme.split('\n').length} lines, at most 250`)
  t.same(['holidays.ts', 'server.ts', 'app.ts'].filter((name) => !blocks.some((block) => block.doc === 'README.md' && block.name === name)), [], 'the README names its files')
})

t.test('every code block that names a file compiles against the package', async (t) => {
  const dir = import.meta.dirname // virtual files in a real folder: no file of these names exists here
  const files = new Map(blocks.map((block) => [join(dir, block.name), block.source]))
  t.equal(files.size, blocks.length, 'no two blocks name the same file')
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2024,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noImplicitOverride: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    paths: Object.fromEntries([...sources].map(([specifier, file]) => [specifier, [file]]))
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.readFile = (name) => files.get(name) ?? readFile(name)
  host.fileExists = (name) => files.has(name) || fileExists(name)
  host.getSourceFile = (name, version, ...rest) => files.has(name)
    ? ts.createSourceFile(name, files.get(name)!, version)
    : getSourceFile(name, version, ...rest)
  const program = ts.createProgram([...files.keys()], options, host)
  for (const block of blocks) {
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(join(dir, block.name)))
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
    t.same(diagnostics, [], `${block.doc}: ${block.name} compiles`)
  }
})

/** Writes the README's files as JavaScript (b24bi's specifiers pointing at its sources), the servers on port 0. */
async function runnable (t: Test): Promise<string> {
  const cache = join(root, 'node_modules/.cache/b24bi')
  await mkdir(cache, { recursive: true })
  const dir = await mkdtemp(join(cache, 'readme-run-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n')
  for (const block of blocks.filter((entry) => entry.doc === 'README.md')) {
    let source = block.source.replace(/from '(b24bi(?:\/[\w-]+)?)'/g, (whole, specifier: string) =>
      sources.has(specifier) ? `from '${pathToFileURL(sources.get(specifier)!).href}'` : whole)
    if (/app\.listen\(/.test(source)) {
      const listens = source.match(/app\.listen\(\{[^}]*\}\)/g) ?? []
      t.equal(listens.length, 1, `${block.name} listens once`)
      source = source.replace(/app\.listen\(\{[^}]*\}\)/, "app.listen({ port: 0, host: '127.0.0.1' })") + '\nexport { app }\n'
    }
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2024 } })
    await writeFile(join(dir, block.name.replace(/\.ts$/, '.js')), outputText)
  }
  return dir
}

async function post (app: FastifyInstance, path: string, body: string): Promise<{ status: number, json: unknown }> {
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new TypeError('not listening on a port')
  const answer = await fetch(`http://127.0.0.1:${address.port}${path}`, {
    method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }
  })
  return { status: answer.status, json: await answer.json() }
}

t.test("the README's adapter answers the portal, served by buildServer and inside a Fastify app", async (t) => {
  process.env.CONNECTOR_TOKEN = 'readme-example-token'
  const dir = await runnable(t)
  for (const entry of ['server.js', 'app.js']) {
    const { app } = await import(pathToFileURL(join(dir, entry)).href) as { app: FastifyInstance }
    t.teardown(() => app.close())
    t.same(await post(app, '/api/table_list', 'connection[token]=readme-example-token'),
      { status: 200, json: [{ code: 'holidays', title: 'Public holidays' }] }, `${entry}: the table list`)
    t.same(await post(app, '/api/data', 'connection[token]=readme-example-token&table=holidays&select[0]=NAME&filter[>DATE]=01.06.2026'),
      { status: 200, json: [['NAME'], ['Christmas Day']] }, `${entry}: a filtered read, filtered by the runtime`)
    t.match(await post(app, '/api/check', 'connection[token]=a-wrong-token'), { status: 401 }, `${entry}: a wrong token is refused`)
  }
})
