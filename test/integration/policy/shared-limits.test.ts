import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { buildServer, type ServerOptions } from '../../../src/server/index.js'
import { credentialHash } from '../../../src/policy/secrets.js'
import { SlowAdapter } from '../../helpers/slow-adapter.js'
import { form } from '../../helpers/demo-server.js'
import { redisUrl } from '../../helpers/services.js'

const HASH_KEY = randomBytes(32).toString('hex')

/** A Redis client and a key prefix of this run alone; the keys are removed at the end. */
async function sharedRedis (t: Test): Promise<{ client: Redis, prefix: string }> {
  const client = new Redis(redisUrl(0), { lazyConnect: true, maxRetriesPerRequest: 1 })
  await client.connect()
  const prefix = `b24bi-test-${randomBytes(6).toString('hex')}:`
  t.teardown(async () => {
    const keys = await client.keys(prefix + '*')
    if (keys.length > 0) await client.del(...keys)
    await client.quit()
  })
  return { client, prefix }
}

/** Three "replicas": separate servers, each its own process state, sharing only the Redis and the key. */
async function replicas (t: Test, options: Omit<ServerOptions, 'adapter'>): Promise<Array<Awaited<ReturnType<typeof buildServer>>>> {
  const apps = await Promise.all([1, 2, 3].map(async () => await buildServer({ adapter: new SlowAdapter(), logger: false, ...options })))
  t.teardown(async () => { await Promise.all(apps.map(async (app) => await app.close())) })
  return apps
}

t.test('a shared store and one hash key: three replicas admit the limit once, not three times', async (t) => {
  const { client, prefix } = await sharedRedis(t)
  const apps = await replicas(t, { rateLimit: { max: 6, windowSeconds: 600 }, sharedStore: { client, prefix }, runtime: { hashKey: HASH_KEY } })
  let admitted = 0
  for (let i = 0; i < 18; i++) {
    const answer = await apps[i % 3]!.inject({ method: 'POST', url: '/api/table_list', ...form({ connection: { token: 'ok-shared' } }) })
    if (answer.statusCode === 200) admitted++
    else t.equal(answer.statusCode, 429)
  }
  t.equal(admitted, 6, '6 of 18 admitted through three replicas')
  const keys = await client.keys(prefix + 'rate-limit:*')
  t.same(keys, [`${prefix}rate-limit:c:${credentialHash({ token: 'ok-shared' }, HASH_KEY)}`], 'one key for one credential set, named by the shared hash key')
})

t.test('refused logins are counted once across replicas', async (t) => {
  const { client, prefix } = await sharedRedis(t)
  const apps = await replicas(t, { sharedStore: { client, prefix }, runtime: { hashKey: HASH_KEY, authFailures: { max: 4, windowSeconds: 600 } } })
  const statuses: number[] = []
  for (let i = 0; i < 9; i++) {
    const answer = await apps[i % 3]!.inject({ method: 'POST', url: '/api/check', remoteAddress: '203.0.113.9', ...form({ connection: { token: `guess-${i}` } }) })
    statuses.push(answer.statusCode)
  }
  t.same(statuses, [401, 401, 401, 401, 429, 429, 429, 429, 429], 'the fifth guess is throttled, on whichever replica it lands')
  const throttled = await apps[0]!.inject({ method: 'POST', url: '/api/check', remoteAddress: '203.0.113.9', ...form({ connection: { token: 'guess-x' } }) })
  t.ok(Number(throttled.headers['retry-after']) > 0, 'Retry-After from the shared window')
})

t.test('a Redis that fails lets calls through (fail open) and the adapter still decides', async (t) => {
  const broken = { eval: async () => { throw new Error('redis down') } }
  const prefix = 'b24bi-test-broken:'
  const [app] = await replicas(t, {
    sharedStore: { client: broken, prefix }, rateLimit: { max: 1, windowSeconds: 600 }, runtime: { hashKey: HASH_KEY, authFailures: { max: 1, windowSeconds: 600 } }
  })
  for (let i = 0; i < 3; i++) {
    const answer = await app!.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: `guess-${i}` } }) })
    t.equal(answer.statusCode, 401, 'refused by the adapter, never throttled by a counter it cannot read')
  }
  for (let i = 0; i < 3; i++) {
    t.equal((await app!.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: 'ok-still' } }) })).statusCode, 200, 'over the rate limit, let through')
  }
})

t.test('a shared store without a hash key is refused at start', async (t) => {
  const { client, prefix } = await sharedRedis(t)
  await t.rejects(buildServer({ adapter: new SlowAdapter(), logger: false, sharedStore: { client, prefix } }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /runtime\.hashKey/ })
  await t.rejects(buildServer({ adapter: new SlowAdapter(), logger: false, runtime: { hashKey: 'short' } }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /hashKey/ })
})
