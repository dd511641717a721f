import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import { Adapter } from '../../../src/core/adapter.js'
import { missingAdapterMembers } from '../../../src/core/adapter-shape.js'
import { createConfiguredAdapter } from '../../../src/cli/commands/serve.js'
import { main } from '../../../src/cli/main.js'
import { AdapterRuntime } from '../../../src/runtime/runtime.js'
import { buildServer } from '../../../src/server/index.js'
import { connectorPlugin } from '../../../plugins/connector.js'

const FULL = {
  init: 'async init () {}',
  check: 'async check () { return true }',
  listTables: "async listTables () { return [{ code: 'tiny', title: 'Tiny' }] }",
  describeTable: "async describeTable () { return [{ code: 'ID', type: 'int' }] }",
  readRows: 'async * readRows () { yield [[1]] }',
  capabilities: 'capabilities () { return {} }',
  ready: 'async ready () { return true }',
  close: 'async close () {}'
}

/** An adapter module file exporting `shape` (class, instance or factory) with every method but `without`. */
function adapterModule (shape: 'class' | 'instance' | 'factory', without: string[], settings = true): string {
  const methods = Object.entries(FULL).filter(([name]) => !without.includes(name)).map(([, code]) => code)
  const body = `${settings ? 'settings = []\n' : ''}${methods.join('\n')}`
  const source = shape === 'class'
    ? `export default class Partial {\n${body}\n}`
    : shape === 'instance'
      ? `class Partial {\n${body}\n}\nexport const adapter = new Partial()`
      : `class Partial {\n${body}\n}\nexport function createAdapter () { return new Partial() }`
  const folder = mkdtempSync(join(tmpdir(), 'b24bi-demodata-shape-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  const path = join(folder, `${shape}-adapter.mjs`)
  writeFileSync(path, source)
  return path
}

t.test('a module adapter without capabilities() stops the start, naming the method (class, instance, factory)', async (t) => {
  for (const shape of ['class', 'instance', 'factory'] as const) {
    await t.rejects(createConfiguredAdapter({ type: 'module', module: adapterModule(shape, ['capabilities']) }),
      { code: 'B24BI_ERR_CONFIG_INVALID', message: /'adapter\.module' is invalid: .* lacks capabilities\(\) \(extend Adapter/ }, shape)
  }
})

t.test('a module adapter without listTables, ready or settings is refused with every missing member named', async (t) => {
  await t.rejects(createConfiguredAdapter({ type: 'module', module: adapterModule('class', ['listTables']) }),
    { code: 'B24BI_ERR_CONFIG_INVALID', message: /lacks listTables\(\) \(/ })
  await t.rejects(createConfiguredAdapter({ type: 'module', module: adapterModule('instance', ['ready', 'close'], false) }),
    { code: 'B24BI_ERR_CONFIG_INVALID', message: /lacks ready\(\), close\(\), settings \(an array\) \(/ })
  const adapter = await createConfiguredAdapter({ type: 'module', module: adapterModule('factory', []) })
  t.same(await adapter.listTables('', { connection: {}, log: console }), [{ code: 'tiny', title: 'Tiny' }], 'the complete one loads')
})

t.test('a subclass of Adapter with only the three abstract methods lacks nothing', async (t) => {
  class Tiny extends Adapter {
    async listTables (): Promise<[]> { return [] }
    async describeTable (): Promise<undefined> { return undefined }
    async * readRows (): AsyncIterable<[]> { yield [] }
  }
  t.same(missingAdapterMembers(new Tiny()), [])
  t.same(missingAdapterMembers({ readRows () {} }), ['init()', 'check()', 'listTables()', 'describeTable()', 'capabilities()', 'ready()', 'close()', 'settings (an array)'])
})

t.test('b24bi serve with B24BI_ADAPTER=module and a partial adapter fails at start, before it listens', async (t) => {
  let out = ''
  const io = { stdout: { write: (text: string) => { out += text; return true } }, stderr: { write: (text: string) => { out += text; return true } } }
  const env = { B24BI_ADAPTER: 'module', B24BI_ADAPTER_MODULE: adapterModule('class', ['capabilities']), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }
  await t.rejects(main(['serve'], { ...io, env } as unknown as Parameters<typeof main>[1]),
    { code: 'B24BI_ERR_CONFIG_INVALID', message: /lacks capabilities\(\)/ })
  t.notMatch(out, /listening/i, 'the server never started')
})

t.test('the runtime checks the adapter it is given: buildServer and connectorPlugin refuse a partial one at start-up', async (t) => {
  const partial = { settings: [], async listTables () { return [] }, async describeTable () { return undefined }, async * readRows () { yield [] } }
  await t.rejects(buildServer({ adapter: partial as never, logger: false }),
    { code: 'B24BI_ERR_CONFIG_INVALID', message: /'adapter' is invalid: is not an adapter: it lacks init\(\), check\(\), capabilities\(\), ready\(\), close\(\) \(extend Adapter/ })
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(connectorPlugin, { adapter: partial as never }) }, { code: 'B24BI_ERR_CONFIG_INVALID', message: /lacks init\(\)/ })
  t.throws(() => new AdapterRuntime(null as never), { code: 'B24BI_ERR_CONFIG_INVALID', message: /is not an adapter .*got null/ })
})
