import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import type { Static } from 'typebox'
import { Value } from 'typebox/value'
import { loadConfig } from '../../../src/cli/config.js'
import { createConfiguredAdapter } from '../../../src/cli/commands/serve.js'
import { configJsonSchema } from '../../../src/cli/commands/config.js'
import { installConfigFromEnv } from '../../../src/cli/install-setup.js'
import { runCli } from '../../helpers/cli-harness.js'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { MysqlAdapter } from '../../../adapters/mysql/index.js'
import { SqliteAdapter } from '../../../adapters/sqlite/index.js'
import { ClickHouseAdapter } from '../../../adapters/clickhouse/index.js'
import { HttpAdapter, type HttpAdapterOptions } from '../../../adapters/http/index.js'
import { FilesAdapter, type FilesAdapterOptions } from '../../../adapters/files/index.js'
import { SqlOptionsSchema, type SqlAdapterOptions } from '../../../adapters/sql/sql-options.js'
import { HttpOptionsSchema } from '../../../adapters/http/http-options.js'
import { FilesOptionsSchema } from '../../../adapters/files/files-options.js'

// Compile-time: each adapter's options interface and its schema name the same keys (tsc fails when they drift).
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { onlyInFirst: Exclude<keyof A, keyof B>, onlyInSecond: Exclude<keyof B, keyof A> }
const sqlKeys: SameKeys<SqlAdapterOptions, Static<typeof SqlOptionsSchema>> = true
const httpKeys: SameKeys<HttpAdapterOptions, Static<typeof HttpOptionsSchema>> = true
const filesKeys: SameKeys<FilesAdapterOptions, Static<typeof FilesOptionsSchema>> = true

function tempFile (name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'b24bi-strict-')), name)
  writeFileSync(path, text)
  return path
}

function failure (run: () => unknown): string {
  try {
    run()
  } catch (error) {
    return (error as Error).message
  }
  return 'did not fail'
}

const HTTP_TABLE = { code: 'items', url: 'https://api.example.com/items' }

/** Per adapter type: valid options plus one misspelled key deep inside, and what the message must say. */
const CASES: Array<{ type: string, options: Record<string, unknown>, path: string, suggestion: string }> = [
  { type: 'demo', options: { tokn: 'x' }, path: 'adapter.tokn', suggestion: 'token' },
  { type: 'files', options: { directory: '/srv', types: { t: { A: 'int' } }, treads: 2 }, path: 'adapter.treads', suggestion: 'threads' },
  { type: 'postgres', options: { url: 'postgres://h/db', token: 'a-long-token', exposure: { table: { deny: ['*_secret'] } } }, path: 'adapter.exposure.table', suggestion: 'tables' },
  { type: 'mysql', options: { url: 'mysql://h/db', token: 'a-long-token', exposure: { tables: { denied: ['*_secret'] } } }, path: 'adapter.exposure.tables.denied', suggestion: 'deny' },
  { type: 'sqlite', options: { url: '/tmp/x.db', token: 'a-long-token', datasets: [{ name: 'd', sql: 'select 1', titel: 'D' }] }, path: 'adapter.datasets.0.titel', suggestion: 'title' },
  { type: 'clickhouse', options: { portal: { allowHost: ['10.0.0.0/8'] } }, path: 'adapter.portal.allowHost', suggestion: 'allowHosts' },
  { type: 'http', options: { tables: [{ ...HTTP_TABLE, pagination: { style: 'page', pageSize: 50 } }] }, path: 'adapter.tables.0.pagination.pageSize', suggestion: '' },
  { type: 'http', options: { tables: [{ ...HTTP_TABLE, fields: [{ code: 'ID', type: 'int', zone: true }] }] }, path: 'adapter.tables.0.fields.0.zone', suggestion: 'zoned' }
]

t.test('a misspelled adapter option at any depth stops the start, for every adapter, from the file and from the env', async (t) => {
  for (const { type, options, path, suggestion } of CASES) {
    const fromFile = failure(() => loadConfig({ env: {}, file: tempFile('b24bi.json', JSON.stringify({ adapter: { type, ...options } })) }))
    t.match(fromFile, `'${path}' is invalid: is not a known option`, `${type}: ${path} from the file`)
    if (suggestion !== '') t.match(fromFile, `did you mean '${suggestion}'?`, `${type}: suggests ${suggestion}`)
    const fromEnv = failure(() => loadConfig({ env: { B24BI_ADAPTER: type, B24BI_ADAPTER_OPTIONS: JSON.stringify(options) } }))
    t.match(fromEnv, `'${path} (from B24BI_ADAPTER_OPTIONS)' is invalid`, `${type}: the env var is named`)
  }
  t.match(failure(() => loadConfig({ env: {}, file: tempFile('b.json', '{"adapter":{"name":"mysql"}}') })), /'adapter.name'.*is not a known option/,
    'adapter.name (for type) no longer serves the demo')
  t.match(failure(() => loadConfig({ env: { B24BI_ADAPTER: 'mysqll' } })), /'adapter.type \(from B24BI_ADAPTER\)' is invalid: 'mysqll' is not one of demo, files/)
  t.match(failure(() => loadConfig({ env: { B24BI_ADAPTER: 'http', CONNECTOR_TOKEN: 'x', B24BI_ADAPTER_OPTIONS: JSON.stringify({ tables: [HTTP_TABLE] }) } })),
    /'adapter.token \(from CONNECTOR_TOKEN\)'.*not a known option.*adapter 'http'/, 'a token the http adapter would ignore is refused')
  t.match(failure(() => loadConfig({ env: {}, file: tempFile('c.json', '{"exposure":{}}') })), /'exposure' is invalid: is not a known setting/)
  const valid = loadConfig({ env: {}, file: tempFile('ok.json', JSON.stringify({ adapter: { type: 'postgres', url: 'postgres://h/db', token: 'a-long-token', exposure: { tables: { deny: ['*_secret'] } } } })) })
  t.same((valid.adapter as Record<string, unknown>).exposure, { tables: { deny: ['*_secret'] } }, 'the correct spelling loads')
})

t.test('the adapters themselves refuse unknown options (library use, without the CLI)', async (t) => {
  const exposure = { table: { deny: ['*_secret'] } }
  const constructors: Array<[string, () => unknown]> = [
    ['postgres', () => new PostgresAdapter({ url: 'postgres://h/db', token: 'a-long-token', exposure } as never)],
    ['mysql', () => new MysqlAdapter({ url: 'mysql://h/db', token: 'a-long-token', exposure } as never)],
    ['sqlite', () => new SqliteAdapter({ url: '/tmp/none.db', token: 'a-long-token', exposure } as never)],
    ['clickhouse', () => new ClickHouseAdapter({ url: 'http://h:8123/db', token: 'a-long-token', exposure } as never)]
  ]
  for (const [name, make] of constructors) t.match(failure(make), /'exposure.table' is invalid: is not a known option; did you mean 'tables'\?/, name)
  t.match(failure(() => new HttpAdapter({ tables: [{ ...HTTP_TABLE, methd: 'GET' }] } as never)), /'tables.0.methd'.*did you mean 'method'\?/, 'http')
  t.match(failure(() => new FilesAdapter({ directory: '/srv', glb: '*.csv' } as never)), /'glb'.*did you mean 'glob'\?/, 'files')
  t.match(failure(() => new FilesAdapter({ directory: '/srv', threads: 0 })), /'threads' is invalid/, 'files: a wrong value too')
  t.ok(sqlKeys && httpKeys && filesKeys)
})

t.test('B24BI_ADAPTER=module takes a default-exported class, instance or factory, or an `adapter` export', async (t) => {
  const body = `class Tiny {
    constructor (options = {}) { this.options = options; this.settings = [] }
    async init () {} async check () { return true } capabilities () { return {} } async ready () { return true } async close () {}
    async listTables () { return [{ code: 'tiny', title: this.options.title ?? 'fixed' }] }
    async describeTable () { return [{ code: 'ID', type: 'int' }] }
    async * readRows () { yield [[1]] }
  }`
  const context = { connection: {}, log: console } as never
  const asClass = await createConfiguredAdapter({ type: 'module', module: tempFile('c.mjs', `${body}\nexport default Tiny`), title: 'from options' })
  t.same(await asClass.listTables('', context), [{ code: 'tiny', title: 'from options' }], 'a class gets the options')
  const asFactory = await createConfiguredAdapter({ type: 'module', module: tempFile('f.mjs', `${body}\nexport default async (options) => new Tiny(options)`), title: 'made' })
  t.same(await asFactory.listTables('', context), [{ code: 'tiny', title: 'made' }], 'a factory (async) gets the options')
  const instance = tempFile('i.mjs', `${body}\nexport default new Tiny()`)
  t.same(await (await createConfiguredAdapter({ type: 'module', module: instance })).listTables('', context), [{ code: 'tiny', title: 'fixed' }], 'an instance')
  await t.rejects(createConfiguredAdapter({ type: 'module', module: instance, title: 'lost' }), { message: /'adapter.title'.*instance, which takes no options/ })
  const named = await createConfiguredAdapter({ type: 'module', module: tempFile('n.mjs', `${body}\nexport const adapter = new Tiny({ title: 'named' })`) })
  t.same(await named.listTables('', context), [{ code: 'tiny', title: 'named' }], 'an export named adapter')
  await t.rejects(createConfiguredAdapter({ type: 'module', module: tempFile('x.mjs', 'export const version = 1') }), { message: /exports no adapter: export default/ })
})

t.test('the install flow is part of the one config: file or env, checked like the rest', async (t) => {
  const file = tempFile('install.json', JSON.stringify({ install: { clientId: 'app.1', clientSecret: 's', publicUrl: 'https://c.example.com', syncTables: { source: { title: 'Main', settings: { token: 'x' } } } } }))
  const config = loadConfig({ env: {}, file })
  t.match(config.install, { clientId: 'app.1', publicUrl: 'https://c.example.com', syncTables: { source: { title: 'Main' } } })
  t.match(failure(() => loadConfig({ env: {}, file: tempFile('i.json', '{"install":{"clientID":"x"}}') })), /'install.clientID'.*did you mean 'clientId'\?/)
  t.match(failure(() => installConfigFromEnv({ B24BI_CLIENT_ID: 'c' })), /install.clientSecret \(B24BI_CLIENT_SECRET\)/)
  t.match(failure(() => installConfigFromEnv({ B24BI_CLIENT_ID: 'c', B24BI_CLIENT_SECRET: 's', B24BI_PUBLIC_URL: 'https://x', B24BI_SYNC_TABLES_SOURCE: 'M', B24BI_SYNC_TABLES_SETTINGS: '{"port":5432}' })),
    /install.syncTables.source.settings.port/)
})

t.test('b24bi config schema prints a JSON Schema that accepts a complete config and names every adapter type', async (t) => {
  const printed = await runCli(['config', 'schema'])
  t.equal(printed.code, 0, printed.stderr)
  const schema = JSON.parse(printed.stdout)
  t.same(schema, configJsonSchema())
  t.same(schema.properties.adapter.anyOf.map((variant: { properties: { type: { const: string } } }) => variant.properties.type.const),
    ['demo', 'files', 'postgres', 'mysql', 'sqlite', 'clickhouse', 'http', 'module'])
  const example = { $schema: './b24bi.schema.json', port: 3000, adapter: { type: 'postgres', url: 'postgres://h/db', token: 'a-long-token', exposure: { tables: { deny: ['*_secret'] } } } }
  t.ok(Value.Check(schema, example), 'a valid file passes the printed schema')
  t.notOk(Value.Check(schema, { adapter: { type: 'postgres', url: 'postgres://h/db', exposure: { table: {} } } }), 'a typo fails it')
  t.match(await runCli(['config']), { code: 2, stderr: /b24bi config schema/ })
})

t.test("the configuration reference's example files load as they are (comments included), one per adapter type", async (t) => {
  const reference = (await import('node:fs')).readFileSync(join(import.meta.dirname, '../../../docs/configuration.md'), 'utf8')
  const blocks = [...reference.matchAll(/```jsonc\n([\s\S]*?)```/g)].map((match) => match[1]!)
  const types = new Set<string>()
  for (const block of blocks) {
    const config = loadConfig({ env: {}, file: tempFile('example.json', block) })
    types.add(config.adapter.type)
  }
  t.same([...types].sort(), ['clickhouse', 'demo', 'files', 'http', 'module', 'mysql', 'postgres', 'sqlite'], 'every adapter type has an example')
})
