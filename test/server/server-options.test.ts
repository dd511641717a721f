import t from 'tap'
import { buildServer, resolveServerOptions } from '../../src/server/index.js'
import { closestName, findUnknownOption, checkOptions } from '../../src/util/strict-options.js'
import { Type } from 'typebox'
import type { Static } from 'typebox'
import { Adapter, type TableInfo, type FieldInfo, type Row } from '../../src/index.js'
import type { RuntimeOptions, RuntimeOptionsSchema } from '../../src/runtime/runtime-options.js'
import type { ServerOptions, ServerOptionsSchema } from '../../src/server/server-options.js'

// Compile-time: each options interface and its schema name the same keys (tsc fails here when an option is added
// to one and not the other; buildServer would refuse it as unknown).
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { onlyInFirst: Exclude<keyof A, keyof B>, onlyInSecond: Exclude<keyof B, keyof A> }
const runtimeKeys: SameKeys<RuntimeOptions, Static<typeof RuntimeOptionsSchema>> = true
const serverKeys: SameKeys<ServerOptions, Static<typeof ServerOptionsSchema>> = true

class Tiny extends Adapter {
  async listTables (): Promise<TableInfo[]> { return [{ code: 't', title: 't' }] }
  async describeTable (): Promise<FieldInfo[]> { return [{ code: 'A', type: 'int' }] }
  async * readRows (): AsyncIterable<Row[]> { yield [[1]] }
}

t.test('an unknown server option at any depth stops buildServer with its path and the closest key', async (t) => {
  const adapter = new Tiny()
  await t.rejects(buildServer({ adapter, rateLimt: { max: 1, windowSeconds: 1 } } as never), {
    code: 'B24BI_ERR_CONFIG_INVALID', message: /'rateLimt' is invalid: is not a known option; did you mean 'rateLimit'\?/
  })
  await t.rejects(buildServer({ adapter, rateLimit: { max: 1, window: 1 } } as never), { message: /'rateLimit.window' .*did you mean 'windowSeconds'/ })
  await t.rejects(buildServer({ adapter, runtime: { timezone: 'UTC' } } as never), { message: /'runtime.timezone' .*did you mean 'timeZone'/ })
  await t.rejects(buildServer({ adapter, underPressure: { maxEventLoopDelay: 5 } } as never), { message: /'underPressure.maxEventLoopDelay' .*'maxEventLoopDelayMs'/ })
  await t.rejects(buildServer({ adapter, bodyLimit: -1 }), { message: /'bodyLimit' is invalid/ })
  await t.rejects(buildServer({ adapter, paths: { data: 'api/data' } }), { message: /'paths.data' is invalid/ })
  await t.rejects(buildServer({ adapter: {} as never }), { message: /'adapter' is invalid/ })
})

t.test('the resolved options are a frozen copy; adapter, logger and TLS material are kept as given', async (t) => {
  const adapter = new Tiny()
  const given = { adapter, rateLimit: { max: 5, windowSeconds: 1 }, allowIps: ['127.0.0.1'], tls: { cert: Buffer.from('c'), key: 'k' } }
  const resolved = resolveServerOptions(given)
  t.ok(Object.isFrozen(resolved))
  t.ok(Object.isFrozen(resolved.rateLimit))
  t.ok(Object.isFrozen(resolved.allowIps))
  t.equal(resolved.adapter, adapter)
  t.ok(Buffer.isBuffer(resolved.tls?.cert))
  given.rateLimit.max = 99
  t.equal((resolved.rateLimit as { max: number }).max, 5, 'later changes to the caller\'s object do not reach the server')
  const fastify = await buildServer({ adapter, logger: false, metrics: false })
  t.teardown(async () => await fastify.close())
  t.equal((await fastify.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})

t.test('the options interfaces and their schemas name the same keys', async (t) => {
  t.ok(runtimeKeys && serverKeys)
})

t.test('closestName and the schema walk', async (t) => {
  t.equal(closestName('exposures', ['exposure', 'datasets']), 'exposure')
  t.equal(closestName('denied', ['allow', 'deny']), 'deny')
  t.equal(closestName('table', ['schemas', 'tables']), 'tables')
  t.equal(closestName('zzzzzz', ['allow', 'deny']), undefined)
  const schema = Type.Object({
    list: Type.Optional(Type.Array(Type.Object({ name: Type.String() }))),
    map: Type.Optional(Type.Record(Type.String(), Type.Object({ kind: Type.String() }))),
    either: Type.Optional(Type.Union([Type.Object({ a: Type.Number() }), Type.Object({ b: Type.Number() })])),
    open: Type.Optional(Type.Object({}, { additionalProperties: true }))
  })
  t.same(findUnknownOption(schema, { list: [{ name: 'x' }, { nmae: 'y' }] }), { path: 'list.1.nmae', known: ['name'] })
  t.same(findUnknownOption(schema, { map: { any: { kind: 'x', knd: 1 } } }), { path: 'map.any.knd', known: ['kind'] })
  t.equal(findUnknownOption(schema, { either: { b: 1 }, open: { anything: 1 } }), undefined)
  t.match(findUnknownOption(schema, { either: { c: 1 } }), { path: 'either.c' })
  t.throws(() => checkOptions(schema, { zz: 1 }, 'adapter.'), { message: /'adapter.zz' is invalid: is not a known option; known here: list, map, either, open/ })
  t.throws(() => checkOptions(schema, { list: [{ name: 3 }] }), { message: /'list.0.name' is invalid/ })
})
