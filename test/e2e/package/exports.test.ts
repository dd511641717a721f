import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
import ts from 'typescript'

// Every `exports` subpath, imported by its public name (self-reference: the package's own built dist, as a user
// gets it). `npm test` builds first (pretest), so a broken exports map or barrel fails here. The names a subpath
// declares (values and types) are read from its built .d.ts with the TypeScript checker.
const repo = resolve(import.meta.dirname, '../../..')
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string, exports: Record<string, string | { types: string }> }
const codeSubpaths = Object.keys(pkg.exports).filter((subpath) => subpath !== './package.json')
const publicName = (subpath: string): string => subpath === '.' ? 'b24bi' : `b24bi/${subpath.slice(2)}`

/** Every name each subpath declares, values and types, from its .d.ts. */
function declaredNames (): Map<string, string[]> {
  const files = new Map(codeSubpaths.map((subpath) => [subpath, join(repo, (pkg.exports[subpath] as { types: string }).types)]))
  const program = ts.createProgram([...files.values()], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, noEmit: true })
  const checker = program.getTypeChecker()
  return new Map([...files].map(([subpath, file]) => {
    const source = program.getSourceFile(file)
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
    return [subpath, symbol === undefined ? [] : checker.getExportsOfModule(symbol).map((exported) => exported.name).sort()]
  }))
}
const declared = declaredNames()

/** The root export: the adapter contract, `TypedAdapter`, the errors, and the connector plugin as its default. */
const ROOT = [
  'default', 'ConnectorPluginOptions',
  'Adapter', 'Capabilities', 'Connection', 'EncodePlan', 'EncodedRows', 'FieldInfo', 'FieldType', 'Logger', 'PushdownScope', 'ReadPlan',
  'RequestContext', 'Row', 'Setting', 'TableInfo',
  'TypedAdapter', 'Int64', 'Money', 'TableRow', 'TimeZoneId', 'TypedReaders', 'Zoned',
  'B24biError', 'isB24biError', 'errorCodes',
  'ERR_AUTH_REJECTED', 'ERR_CONFIG_INVALID', 'ERR_NOT_SUPPORTED', 'ERR_QUERY_TIMEOUT', 'ERR_SETTING_INVALID', 'ERR_SOURCE_BUSY',
  'ERR_SOURCE_FAILED', 'ERR_SOURCE_UNAVAILABLE'
]

/** Each built-in adapter's subpath: its adapter class and its options type(s), no engine internals. */
const ADAPTERS: Record<string, string[]> = {
  './postgres': ['PostgresAdapter', 'PostgresAdapterOptions'],
  './mysql': ['MysqlAdapter', 'MysqlAdapterOptions'],
  './sqlite': ['SqliteAdapter', 'SqliteAdapterOptions'],
  './clickhouse': ['ClickHouseAdapter', 'ClickHouseAdapterOptions'],
  './files': ['FilesAdapter', 'FilesAdapterOptions'],
  './http': ['HttpAdapter', 'HttpAdapterOptions', 'HttpField', 'HttpFilterParam', 'HttpTable', 'Pagination']
}

/** One name each other subpath must export; a new subpath must be added here or above. */
const OTHERS: Record<string, string[]> = {
  './plugins': ['guardPlugin', 'healthPlugin', 'metricsPlugin', 'docsPlugin', 'installPlugin'],
  './server': ['buildServer', 'resolveServerOptions'],
  './bitrix': ['RestClient', 'registerConnector', 'DEFAULT_PATHS', 'FileTokenStore', 'MemoryTokenStore', 'PostgresTokenStore', 'RedisTokenStore'],
  './testing': ['conformance'],
  './adapter-kit': ['loadDriver', 'checkOptions', 'globToRegExp', 'compilePredicate', 'TextRowsEncoder', 'safeEqual', 'HostGuard'],
  './sql': ['SqlAdapter', 'compileOnlyBuilder']
}

t.test('every exports subpath imports by its public name and has its main export', async (t) => {
  t.same([...codeSubpaths].sort(), ['.', ...Object.keys(ADAPTERS), ...Object.keys(OTHERS)].sort(), 'the test knows every subpath')
  for (const subpath of codeSubpaths) {
    const module = await import(publicName(subpath)) as Record<string, unknown>
    const names = subpath === '.' ? ['default', 'Adapter'] : ADAPTERS[subpath]?.slice(0, 1) ?? OTHERS[subpath] ?? []
    for (const exported of names) t.ok(module[exported] !== undefined, `${publicName(subpath)} exports ${exported}`)
  }
})

t.test('b24bi/package.json, the one subpath that is not code, imports as JSON by its public name', async (t) => {
  const manifest = await import('b24bi/package.json', { with: { type: 'json' } }) as { default: { name: string, version: string } }
  t.same([manifest.default.name, manifest.default.version], ['b24bi', pkg.version])
})

t.test('the root export holds at most 40 names: the contract, TypedAdapter, the errors and the plugin as default', async (t) => {
  const names = declared.get('.')!
  t.same(names, [...ROOT].sort(), 'exactly these names (values and types)')
  t.ok(names.length <= 40, `${names.length} names`)
  const root = await import('b24bi') as Record<string, unknown>
  const connector = root.default as { [key: symbol]: unknown }
  t.equal(connector[Symbol.for('fastify.display-name')], 'b24bi-connector', 'the default export is the connector plugin')
})

t.test('errorCodes holds every registered error by name, its code the name with the B24BI_ prefix', async (t) => {
  const { errorCodes, ERR_AUTH_REJECTED } = await import('b24bi')
  const { listErrors } = await import('../../../src/core/errors.js')
  const entries = Object.entries(errorCodes)
  t.equal(entries.length, listErrors().length, 'one entry per registered error')
  for (const [name, ErrorClass] of entries) t.equal(ErrorClass.code, `B24BI_${name}`, name)
  t.equal(errorCodes.ERR_AUTH_REJECTED, ERR_AUTH_REJECTED, 'a root error is the same constructor as its errorCodes entry')
  t.ok(Object.isFrozen(errorCodes))
  t.throws(() => { throw new errorCodes.ERR_SOURCE_BUSY('5') }, { code: 'B24BI_ERR_SOURCE_BUSY', statusCode: 503, message: /retry in 5 seconds/ })
})

t.test('each adapter subpath is its adapter class and its options type: no engine internals', async (t) => {
  for (const [subpath, names] of Object.entries(ADAPTERS)) {
    t.same(declared.get(subpath), [...names].sort(), `${publicName(subpath)} declares`)
    const module = await import(publicName(subpath)) as Record<string, unknown>
    t.same(Object.keys(module), [names[0]], `${publicName(subpath)} holds one value, its adapter class`)
  }
})

t.test('b24bi/sql is the adapter, its options and the engine contract: no compiler internals', async (t) => {
  const sql = await import('b24bi/sql') as Record<string, unknown>
  t.same(Object.keys(sql).sort(), ['SqlAdapter', 'compileOnlyBuilder', 'utcWall'])
})

t.test('a name is exported by one subpath only where the subpaths are peers: DEFAULT_PATHS once, no plugin twice', async (t) => {
  const holders = (name: string): string[] => codeSubpaths.filter((subpath) => declared.get(subpath)!.includes(name))
  t.same(holders('DEFAULT_PATHS'), ['./bitrix'])
  t.same(holders('connectorPlugin'), [], 'the connector plugin is the root default only')
  t.same(holders('default'), ['.'])
})

/** Every `import ... from 'b24bi...'` in the README's and docs' code blocks and in examples/, with where it is. */
function publicImports (): Array<{ where: string, subpath: string, names: string[] }> {
  const files = [join(repo, 'README.md'), ...markdownUnder(join(repo, 'docs')), ...sourcesUnder(join(repo, 'examples'))]
  const found: Array<{ where: string, subpath: string, names: string[] }> = []
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/^import\s+(?:type\s+)?([^'"]*?)\s+from\s+'(b24bi(?:\/[\w-]+)?)'/gm)) {
      const clause = match[1]!
      const named = /\{([^}]*)\}/.exec(clause)?.[1] ?? ''
      const names = named.split(',').map((part) => part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter((name) => name !== '')
      if (!clause.trim().startsWith('{')) names.push('default')
      found.push({ where: file.slice(repo.length + 1), subpath: match[2] === 'b24bi' ? '.' : `./${match[2]!.slice(6)}`, names })
    }
  }
  return found
}
function markdownUnder (dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.md')).map((file) => join(dir, file))
}
function sourcesUnder (dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|md)$/.test(file) && !file.split('/').includes('node_modules')).map((file) => join(dir, file))
}

t.test("the README's, docs' and examples' imports of b24bi name only public exports", async (t) => {
  const imports = publicImports()
  t.ok(imports.some((item) => item.where === 'README.md'), 'the README imports b24bi')
  t.ok(imports.some((item) => item.where.startsWith('examples/')), 'the examples import b24bi')
  for (const { where, subpath, names } of imports) {
    const exported = declared.get(subpath)
    t.ok(exported !== undefined, `${where}: ${publicName(subpath)} is a subpath`)
    for (const name of names) t.ok(exported?.includes(name), `${where}: ${publicName(subpath)} exports ${name}`)
  }
})
