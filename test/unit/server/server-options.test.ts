import t from 'tap'
import { buildServer, resolveServerOptions } from '../../../src/server/index.js'
import { closestName, findUnknownOption, checkOptions } from '../../../src/util/strict-options.js'
import { Type } from 'typebox'
import { Adapter, type TableInfo, type FieldInfo, type Row } from '../../../src/index.js'
import { resolveRuntimeOptions } from '../../../src/runtime/runtime-options.js'

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

t.test('the defaults come from the schemas, into a frozen copy', async (t) => {
  const resolved = resolveServerOptions({ adapter: new Tiny(), rateLimit: {}, underPressure: { maxHeapUsedBytes: 1 } })
  t.match(resolved, { bodyLimit: 1024 * 1024, requestTimeoutSeconds: 60, helmet: true, metrics: true, docs: false, allowIps: [] })
  t.same(resolved.rateLimit, { max: 300, windowSeconds: 60 }, "the request limit's defaults: serve's")
  t.same(resolved.underPressure, { maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0, maxHeapUsedBytes: 1, maxRssBytes: 0, retryAfterSeconds: 10 })
  const runtime = resolveRuntimeOptions({ authFailures: { max: 3 } })
  t.match(runtime, { deadlineSeconds: 55, authCacheSeconds: 60, concurrentReads: 64, authFailures: { max: 3, windowSeconds: 60 }, renameFields: {} })
  t.equal(runtime.timeZone.name, 'UTC')
  t.ok(Object.isFrozen(runtime) && Object.isFrozen(runtime.authFailures))
})

t.test('one minimum per option, the same for buildServer and b24bi serve', async (t) => {
  const adapter = new Tiny()
  await t.rejects(buildServer({ adapter, bodyLimit: 1000 }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /'bodyLimit' is invalid/ }, 'a body limit under 1 KiB was meant in KiB')
  await t.rejects(buildServer({ adapter, sharedSecret: 'short' }), { message: /'sharedSecret' is invalid/ })
  await t.rejects(buildServer({ adapter, runtime: { deadlineSeconds: 0 } }), { message: /'runtime.deadlineSeconds' is invalid: must be a positive number/ })
  await t.rejects(buildServer({ adapter, rateLimit: { max: 0 } }), { message: /'rateLimit.max' is invalid: must be a positive integer/ }, 'the member of the union the value was meant for')
  await t.rejects(buildServer({ adapter, runtime: { datetimeFormat: 'unix' as never } }), { message: /'runtime.datetimeFormat' is invalid: must be one of 'Y-m-d H:i:s', 'iso'/ })
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
