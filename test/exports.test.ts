import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import t from 'tap'

// Every `exports` subpath, imported by its public name (self-reference: the package's own built dist, as a user
// gets it). `npm test` builds first (pretest), so a broken exports map or barrel fails here.
const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string, exports: Record<string, unknown> }

/** One name each subpath must export; a new subpath must be added here. */
const EXPECTED: Record<string, string[]> = {
  '.': ['Adapter', 'TypedAdapter', 'ERR_CONFIG_INVALID', 'AdapterRuntime'],
  './plugin': ['connectorPlugin'],
  './plugins': ['connectorPlugin', 'guardPlugin', 'healthPlugin', 'metricsPlugin', 'docsPlugin', 'installPlugin'],
  './server': ['buildServer', 'resolveServerOptions'],
  './bitrix': ['RestClient', 'registerConnector', 'FileTokenStore', 'MemoryTokenStore', 'PostgresTokenStore', 'RedisTokenStore'],
  './testing': ['conformance'],
  './adapter-kit': ['loadDriver', 'globToRegExp', 'checkOptions', 'positiveOption', 'retryDelayMs', 'HostGuard', 'TextRowsEncoder'],
  './files': ['FilesAdapter'],
  './sql': ['SqlAdapter', 'SQL_DEFAULTS'],
  './postgres': ['PostgresAdapter'],
  './mysql': ['MysqlAdapter'],
  './sqlite': ['SqliteAdapter'],
  './clickhouse': ['ClickHouseAdapter'],
  './http': ['HttpAdapter']
}

t.test('every exports subpath imports by its public name and has its main export', async (t) => {
  // './package.json' is imported as JSON in its own test below.
  const subpaths = Object.keys(pkg.exports).filter((subpath) => subpath !== './package.json')
  t.same([...subpaths].sort(), Object.keys(EXPECTED).sort(), 'the test knows every subpath')
  for (const subpath of subpaths) {
    const name = subpath === '.' ? 'b24bi' : `b24bi/${subpath.slice(2)}`
    const module = await import(name) as Record<string, unknown>
    for (const exported of EXPECTED[subpath] ?? []) t.ok(module[exported] !== undefined, `${name} exports ${exported}`)
  }
})

t.test('b24bi/package.json, the one subpath that is not code, imports as JSON by its public name', async (t) => {
  const manifest = await import('b24bi/package.json', { with: { type: 'json' } }) as { default: { name: string, version: string } }
  t.same([manifest.default.name, manifest.default.version], ['b24bi', pkg.version])
})

t.test('b24bi/sql is the adapter, its options and the engine contract: no compiler internals', async (t) => {
  const sql = await import('b24bi/sql') as Record<string, unknown>
  t.same(Object.keys(sql).sort(), ['PORTAL_SETTINGS', 'SQL_DEFAULTS', 'SqlAdapter', 'compileOnlyBuilder', 'utcWall'])
})
