import fc from 'fast-check'
import t from 'tap'
import { demoServer, TOKEN } from '../../helpers/demo-server.js'

const ENDPOINTS = ['/api/check', '/api/table_list', '/api/table_description', '/api/data']
const RUNS = 250 // hostile bodies per endpoint
const STACK = /\bat .*\.(ts|js):\d+|node:internal|\/work\/|\/node_modules\//

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
    'connection', 'table', 'name', 'select', 'filter', 'limit', 'mapFields', 'searchString', 'LOGIC',
    '>=ID', '!ID', '%TITLE', '><ID', '=', '', ' ', '0', '-1', '1e3', '[]', '[0]', '%00', '\u0000', '💥', 'ID\u202e'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 })
)
const scalar = fc.oneof(
  fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(),
  fc.constant(null), fc.constantFrom('companies', 'exact_values', 'nope', '../../etc/passwd', "x' OR '1'='1", '1e400', '-0', 'NaN')
)
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }))
})).value

function nest (depth: number, leaf: unknown, key: string): unknown {
  let out = leaf
  for (let i = 0; i < depth; i++) out = { [key]: out }
  return out
}

// Bodies that are JSON objects: hostile keys and values, with or without a valid connection, deep nesting, huge arrays.
const jsonBody = fc.record({
  extra: fc.dictionary(hostileKey, value, { maxKeys: 6 }),
  connection: fc.oneof(fc.constant({ token: TOKEN }), fc.constant({ token: TOKEN, __proto__: { admin: true } }), value),
  table: fc.oneof(fc.constantFrom('companies', 'exact_values'), value),
  select: fc.oneof(fc.constant(undefined), value, fc.nat(20_000).map((n) => Array.from({ length: n }, (_, i) => `F${i}`))),
  filter: fc.oneof(value, fc.tuple(fc.nat(300), hostileKey).map(([depth, key]) => nest(depth, '1', key))),
  limit: fc.oneof(fc.constant('5'), value)
}).map(({ extra, ...known }) => JSON.stringify({ ...extra, ...known }))

const formPair = fc.tuple(
  fc.array(fc.oneof(hostileKey, fc.constant(''), fc.nat(99_999).map(String)), { minLength: 1, maxLength: 30 }),
  fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }))
).map(([path, text]) => {
  const [head, ...rest] = path
  const key = encodeURIComponent(head!) + rest.map((part) => `[${encodeURIComponent(part)}]`).join('')
  return `${key}=${encodeURIComponent(text)}`
})
// Form bodies in PHP bracket notation, raw garbage and broken percent-escapes, with or without the token.
const formBody = fc.tuple(
  fc.array(formPair, { maxLength: 12 }),
  fc.boolean(),
  fc.constantFrom('', '&%', '%ZZ', '%00=%00', '&&&=', '[]=1', 'a[=1', 'a]=1', '%E0%A4%A=1', 'table[]=companies', 'limit[0]=1')
).map(([pairs, withToken, junk]) => [...(withToken ? [`connection%5Btoken%5D=${TOKEN}`, 'table=companies', 'limit=5'] : []), ...pairs, junk].join('&'))

const binaryBody = fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes))

// Prototype pollution spelled as the wire has it (an object literal cannot hold an own `__proto__` key).
const pollution = fc.constantFrom(
  { payload: `{"__proto__":{"admin":true},"connection":{"token":"${TOKEN}","__proto__":{"admin":1}},"table":"companies","constructor":{"prototype":{"admin":1}}}`, type: 'application/json' },
  { payload: `{"connection":{"token":"${TOKEN}"},"table":"companies","filter":{"__proto__":{"admin":1},"constructor":{"prototype":{"admin":1}}},"mapFields":{"__proto__":"X"}}`, type: 'application/json' },
  { payload: `__proto__[admin]=1&connection[__proto__][admin]=1&connection[token]=${TOKEN}&table=companies&constructor[prototype][admin]=1&filter[__proto__][admin]=1`, type: 'application/x-www-form-urlencoded' }
)

const request = fc.oneof(
  { weight: 1, arbitrary: pollution },
  { weight: 4, arbitrary: jsonBody.map((payload) => ({ payload, type: 'application/json' })) },
  { weight: 4, arbitrary: formBody.map((payload) => ({ payload, type: 'application/x-www-form-urlencoded' })) },
  { weight: 2, arbitrary: fc.tuple(binaryBody, fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'application/octet-stream', 'text/plain; charset=utf-16', 'multipart/form-data; boundary=x')).map(([payload, type]) => ({ payload, type })) }
)

t.test(`${RUNS} hostile bodies against every endpoint: no 5xx, no stack trace, no secret echoed`, async (t) => {
  const app = await demoServer({ bodyLimit: 1024 * 1024 })
  t.teardown(() => app.close())
  for (const url of ENDPOINTS) {
    const seen = new Map<number, number>()
    await fc.assert(fc.asyncProperty(request, async ({ payload, type }) => {
      const answer = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } })
      seen.set(answer.statusCode, (seen.get(answer.statusCode) ?? 0) + 1)
      if (answer.statusCode >= 500) throw new Error(`${answer.statusCode} for ${String(payload).slice(0, 300)}: ${answer.body.slice(0, 300)}`)
      if (STACK.test(answer.body)) throw new Error(`stack trace in ${answer.body.slice(0, 300)}`)
      if (answer.body.includes(TOKEN)) throw new Error(`secret echoed in ${answer.body.slice(0, 300)}`)
      if ((Object.prototype as Record<string, unknown>).admin !== undefined) throw new Error('Object.prototype was polluted')
    }), { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261125) })
    t.comment(`${url}: ${JSON.stringify(Object.fromEntries(seen))}`)
    t.ok([...seen.keys()].every((status) => status < 500), `${url}: statuses ${[...seen.keys()].join(', ')}`)
    t.ok([...seen.keys()].some((status) => status === 200), `${url}: some bodies got through to a 200 (the fuzz reaches the adapter)`)
  }
})
