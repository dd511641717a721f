import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ERR_CLI_USAGE } from '../../core/errors.js'
import { parseCommandArgs, stringFlag } from '../args.js'
import type { CliIo, Command } from '../command.js'
import { scaffoldFiles, type ScaffoldValues } from '../init/templates.js'
import { Output, reportErrors } from '../output.js'

const usage = `Usage: b24bi init DIR [--name NAME] [--b24bi SPEC] [--force]

Creates a connector project in DIR: package.json, an adapter subclass with a sample table, a test running the
b24bi conformance suite, a server entry, a Dockerfile and a README. Its own "npm test" passes out of the box.

Options:
  --name NAME     the package name (default: the directory name)
  --b24bi SPEC    the b24bi dependency: a version range, or "file:<path>" to a checkout (built: npm run build)
                  or a packed .tgz; the path is taken from where you run init, checked, and written
                  relative to the new project. Default: run from a checkout, init packs this b24bi
                  (npm pack) into DIR/vendor/; installed from the registry, ^<this version>
                  [B24BI_INIT_DEPENDENCY]
  --force         write into a directory that is not empty (existing files are overwritten)
  --json          print the created files as JSON
`

const OPTIONS = { name: { type: 'string' }, b24bi: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } } as const

interface OwnPackage {
  /** The folder holding b24bi's package.json. */
  dir?: string
  version: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

/** b24bi's own package.json, found upwards from this file (works from src/ and from dist/). */
async function ownPackage (): Promise<OwnPackage> {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate)) {
      const parsed = JSON.parse(await readFile(candidate, 'utf8')) as OwnPackage & { name?: string }
      if (parsed.name === 'b24bi') return { ...parsed, dir }
    }
    const parent = dirname(dir)
    if (parent === dir) return { version: '0.0.0' }
    dir = parent
  }
}

function className (name: string): string {
  const words = name.replace(/^@[^/]+\//, '').split(/[^A-Za-z0-9]+/).filter((word) => word !== '')
  const joined = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')
  return `${/^[A-Za-z]/.test(joined) ? joined : `Connector${joined}`}Adapter`
}

/** A `file:` dependency: resolved from the working directory, checked, written relative to the project. */
function fileDependency (spec: string, project: string): string {
  const target = resolve(spec.slice('file:'.length))
  if (!existsSync(target)) throw new ERR_CLI_USAGE(`--b24bi ${spec}: ${target} does not exist`)
  if (statSync(target).isDirectory()) {
    const manifest = join(target, 'package.json')
    const name = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name : undefined
    if (name !== 'b24bi') throw new ERR_CLI_USAGE(`--b24bi ${spec}: ${target} is not a b24bi checkout (no package.json named b24bi)`)
    if (!existsSync(join(target, 'dist/src/index.js'))) throw new ERR_CLI_USAGE(`--b24bi ${spec}: ${target} is not built; run npm run build in it (npm does not build a linked folder)`)
  } else if (!target.endsWith('.tgz')) {
    throw new ERR_CLI_USAGE(`--b24bi ${spec}: ${target} is neither a b24bi folder nor a packed .tgz`)
  }
  const path = relative(project, target).split(sep).join('/')
  return `file:${path.startsWith('.') ? path : `./${path}`}`
}

/** True when b24bi runs from a source checkout (not from an installed package). */
function isCheckout (own: OwnPackage): boolean {
  return own.dir !== undefined && !own.dir.split(sep).includes('node_modules') && existsSync(join(own.dir, 'src', 'index.ts'))
}

/** Packs this checkout into `<project>/vendor` (npm pack builds it first); the dependency is the packed file. */
function packInto (own: OwnPackage, project: string): string {
  const vendor = join(project, 'vendor')
  mkdirSync(vendor, { recursive: true })
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const output = execFileSync(npm, ['pack', '--silent', '--pack-destination', vendor], { cwd: own.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const file = output.trim().split('\n').at(-1) ?? ''
  if (!file.endsWith('.tgz') || !existsSync(join(vendor, file))) throw new ERR_CLI_USAGE(`npm pack in ${own.dir ?? '?'} did not write a package: ${output}`)
  return `file:vendor/${file}`
}

async function run (args: string[], io: CliIo): Promise<number> {
  return await reportErrors(io, 'init', async () => {
    const parsed = parseCommandArgs(args, OPTIONS)
    const out = new Output(io, { json: parsed.values.json === true })
    const [target, extra] = parsed.positionals
    if (target === undefined || extra !== undefined) throw new ERR_CLI_USAGE('give one target directory')
    const dir = resolve(target)
    const name = stringFlag(parsed, 'name') ?? basename(dir).toLowerCase()
    if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name)) throw new ERR_CLI_USAGE(`'${name}' is not a valid npm package name; give --name`)
    if (existsSync(dir) && (await readdir(dir)).length > 0 && parsed.values.force !== true) {
      throw new ERR_CLI_USAGE(`${dir} is not empty; choose another directory or give --force`)
    }
    const own = await ownPackage()
    const given = stringFlag(parsed, 'b24bi', io.env.B24BI_INIT_DEPENDENCY)
    await mkdir(dir, { recursive: true })
    const b24bi = given !== undefined
      ? (given.startsWith('file:') ? fileDependency(given, dir) : given)
      : isCheckout(own) ? packInto(own, dir) : `^${own.version}`
    const values: ScaffoldValues = {
      name,
      className: className(name),
      b24bi,
      vendor: b24bi.startsWith('file:vendor/'),
      versions: {
        tap: own.devDependencies?.tap ?? '^21.0.0',
        typescript: own.devDependencies?.typescript ?? '^5.0.0',
        typesNode: own.devDependencies?.['@types/node'] ?? '^22.0.0',
        typebox: own.dependencies?.typebox ?? '^1.0.0',
        fastCheck: own.devDependencies?.['fast-check'] ?? '^4.0.0'
      }
    }
    const files = scaffoldFiles(values)
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true })
      await writeFile(join(dir, path), content)
    }
    out.data({ dir, name, adapter: values.className, b24bi: values.b24bi, files: Object.keys(files) })
    out.line(`${out.paint('green', '✔')} created ${name} in ${dir}`)
    for (const path of Object.keys(files)) out.line(`  ${path}`)
    out.line()
    out.line('Next:')
    out.line(`  cd ${target}`)
    if (values.vendor) out.line(`  (b24bi is not on the registry yet: this checkout was packed into ${values.b24bi.slice(5)})`)
    out.line('  npm install && npm test')
    out.line('  npm run build && CONNECTOR_TOKEN=choose-a-long-secret npm start')
    return 0
  })
}

/** `b24bi init`. */
export const command: Command = { usage, run }
