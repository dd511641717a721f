import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import pg from 'pg'
import { Redis } from 'ioredis'
import { RestClient } from '../../../src/bitrix/rest-client.js'
import { FileTokenStore } from '../../../src/bitrix/token-store/file-token-store.js'
import { MemoryTokenStore } from '../../../src/bitrix/token-store/memory-token-store.js'
import { PostgresTokenStore } from '../../../src/bitrix/token-store/postgres-token-store.js'
import { RedisTokenStore } from '../../../src/bitrix/token-store/redis-token-store.js'
import { POSTGRES, REDIS } from '../../helpers/services.js'
import { withTokenLock, type PortalTokens, type TokenStore } from '../../../src/bitrix/token-store/token-store.js'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'

// Several RestClient instances, each with its own store connection over one shared backend, stand for replicas
// (for the file store: processes of one host sharing the file).
const suffix = `${process.pid}_${Date.now()}`

function postgresPool (): pg.Pool {
  return new pg.Pool({ connectionString: POSTGRES.url, max: 2 })
}

/** Opens `count` stores over one backend, each on its own connection (memory: one shared instance). */
type Replicas = (t: Test, count: number) => Promise<TokenStore[]>

const engines: Array<{ name: string, replicas: Replicas }> = [
  {
    name: 'memory',
    replicas: async (_t, count) => {
      const store = new MemoryTokenStore()
      return Array.from({ length: count }, () => store)
    }
  },
  {
    name: 'file',
    replicas: async (t, count) => {
      const dir = await mkdtemp(join(tmpdir(), 'b24bi-renewal-'))
      t.teardown(async () => await rm(dir, { recursive: true, force: true }))
      return Array.from({ length: count }, () => new FileTokenStore(join(dir, 'tokens.json')))
    }
  },
  {
    name: 'postgres',
    replicas: async (t, count) => {
      const table = `b24bi_renewal_${suffix}_${Math.floor(Math.random() * 1e6)}`
      const pools = Array.from({ length: count }, postgresPool)
      t.teardown(async () => {
        await pools[0]!.query(`DROP TABLE IF EXISTS ${table}, ${table}_locks`)
        await Promise.all(pools.map(async (pool) => await pool.end()))
      })
      return pools.map((client) => new PostgresTokenStore({ client, table }))
    }
  },
  {
    name: 'redis',
    replicas: async (t, count) => {
      const key = `b24bi:test:renewal:${suffix}:${Math.random()}`
      const clients = Array.from({ length: count }, () => new Redis(REDIS.url, { lazyConnect: true, maxRetriesPerRequest: 1 }))
      await Promise.all(clients.map(async (client) => await client.connect()))
      t.teardown(async () => {
        await clients[0]!.del(key)
        await Promise.all(clients.map(async (client) => await client.quit()))
      })
      return clients.map((client) => new RedisTokenStore({ client, key }))
    }
  }
]

async function installed (t: Test, replicas: Replicas, count: number): Promise<{ portal: FakePortal, stores: TokenStore[], clients: RestClient[], tokens: PortalTokens }> {
  const portal = await FakePortal.start()
  t.teardown(async () => await portal.close())
  const stores = await replicas(t, count)
  const { accessToken, refreshToken, expiresIn } = portal.issueTokens()
  const tokens: PortalTokens = {
    memberId: portal.memberId,
    domain: portal.domain,
    restEndpoint: `${portal.url}/rest/`,
    accessToken,
    refreshToken,
    expiresAt: Date.now() + expiresIn * 1000,
    applicationToken: 'app-token-1'
  }
  await stores[0]!.set(tokens)
  const application = { clientId: portal.clientId, clientSecret: portal.clientSecret, server: portal.oauthServer }
  const clients = stores.map((store) => new RestClient({ auth: { memberId: portal.memberId, tokens: store, application }, retryDelayMs: 1 }))
  return { portal, stores, clients, tokens }
}

/** Every client makes `calls` concurrent calls; the number of failed calls. */
async function callTogether (clients: RestClient[], calls: number): Promise<number> {
  const results = await Promise.allSettled(clients.flatMap((client) =>
    Array.from({ length: calls }, async () => await client.call('biconnector.connector.list'))))
  return results.filter((result) => result.status === 'rejected').length
}

const jitter = (): number => 20 + Math.floor(Math.random() * 130)

for (const engine of engines) {
  t.test(`${engine.name}: 3 replicas meeting an expired token together refresh once and fail no call`, async (t) => {
    const { portal, clients } = await installed(t, engine.replicas, 3)
    portal.delayGrants(jitter)
    const rounds = 4
    let failed = 0
    for (let round = 0; round < rounds; round++) {
      portal.expireTokens()
      failed += await callTogether(clients, 4)
    }
    t.equal(failed, 0, 'no call failed')
    t.equal(portal.renewals, rounds, 'one refresh per expiry')
    t.equal(portal.refusedRenewals, 0, 'no refresh was refused')
  })

  t.test(`${engine.name}: a stored expiry met by 3 replicas together is one refresh`, async (t) => {
    const { portal, stores, clients, tokens } = await installed(t, engine.replicas, 3)
    portal.delayGrants(jitter)
    await stores[0]!.set({ ...tokens, expiresAt: Date.now() - 1 })
    t.equal(await callTogether(clients, 3), 0, 'no call failed')
    t.equal(portal.renewals, 1)
    t.notOk(portal.calls.some((call) => call.error !== undefined), 'no call was refused by the portal')
  })

  t.test(`${engine.name}: a renewal overlapping a reinstall keeps the reinstall's tokens`, async (t) => {
    const { portal, stores, clients } = await installed(t, engine.replicas, 2)
    portal.delayGrants(300)
    portal.expireTokens()
    const call = clients[0]!.call('biconnector.connector.list')
    await sleep(100)
    // The reinstall lands on another replica while the refresh is on its way.
    const fresh = portal.issueTokens()
    const reinstall = { ...(await stores[1]!.get(portal.memberId))!, accessToken: fresh.accessToken, refreshToken: fresh.refreshToken, applicationToken: 'app-token-2' }
    await stores[1]!.set(reinstall)
    t.same(await call, [], 'the call succeeds')
    t.equal(portal.renewals, 1)
    const stored = await stores[0]!.get(portal.memberId)
    t.equal(stored?.applicationToken, 'app-token-2', 'the new applicationToken stays')
    t.equal(stored?.refreshToken, fresh.refreshToken, 'the reinstall chain stays')
  })

  t.test(`${engine.name}: a renewal during an uninstall does not bring the tokens back`, async (t) => {
    const { portal, stores, clients } = await installed(t, engine.replicas, 2)
    portal.delayGrants(300)
    portal.expireTokens()
    const call = clients[0]!.call('biconnector.connector.list').catch((error: unknown) => error)
    await sleep(100)
    await stores[1]!.delete(portal.memberId)
    t.match(await call, { code: 'B24BI_ERR_TOKENS_NOT_FOUND' })
    t.equal(await stores[0]!.get(portal.memberId), undefined)
  })

  t.test(`${engine.name}: the renewal lock admits one holder at a time across replicas`, async (t) => {
    const stores = await engine.replicas(t, 3)
    let inside = 0
    let most = 0
    let runs = 0
    await Promise.all(stores.flatMap((store) => Array.from({ length: 3 }, async () => await withTokenLock(store, 'm1', async () => {
      most = Math.max(most, ++inside)
      await sleep(10)
      inside--
      runs++
    }))))
    t.equal(most, 1)
    t.equal(runs, 9)
    await t.rejects(withTokenLock(stores[0]!, 'm1', async () => { throw new TypeError('inside') }), { message: 'inside' }, 'an error inside passes through')
    t.equal(await withTokenLock(stores[1]!, 'm1', async () => 'free'), 'free', 'and the lock is released')
  })

  t.test(`${engine.name}: a lost refresh answer`, async (t) => {
    t.test('dropped before the grant: the store is re-read, the refresh tried again, the call succeeds', async (t) => {
      const { portal, clients } = await installed(t, engine.replicas, 1)
      portal.expireTokens()
      portal.loseNextGrant('before')
      t.same(await clients[0]!.call('biconnector.connector.list'), [])
      t.equal(portal.renewals, 1)
    })
    t.test('lost after the grant while a reinstall stored a new pair: the new pair is used', async (t) => {
      const { portal, stores, clients } = await installed(t, engine.replicas, 2)
      portal.delayGrants(300)
      portal.expireTokens()
      portal.loseNextGrant('after')
      const call = clients[0]!.call('biconnector.connector.list')
      await sleep(100)
      const fresh = portal.issueTokens()
      await stores[1]!.set({ ...(await stores[1]!.get(portal.memberId))!, accessToken: fresh.accessToken, refreshToken: fresh.refreshToken })
      t.same(await call, [])
      t.equal((await stores[0]!.get(portal.memberId))?.accessToken, fresh.accessToken)
    })
    t.test('lost after the grant with nothing newer stored: a coded error asking for a reinstall', async (t) => {
      const { portal, clients } = await installed(t, engine.replicas, 1)
      portal.expireTokens()
      portal.loseNextGrant('after')
      await t.rejects(clients[0]!.call('biconnector.connector.list'), { code: 'B24BI_ERR_OAUTH_RENEW', message: /invalid_grant.*reinstall/ })
      t.equal(portal.renewals, 1)
      t.equal(portal.refusedRenewals, 1, 'the second try was refused: the pair had been rotated')
    })
  })
}

t.test('a lock whose holder died is taken over after its TTL', async (t) => {
  const pool = postgresPool()
  const redis = new Redis(REDIS.url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  const table = `b24bi_lease_${suffix}`
  const key = `b24bi:test:lease:${suffix}`
  t.teardown(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_locks`)
    await redis.del(key, `${key}:lock:m1`)
    await pool.end()
    await redis.quit()
  })
  for (const store of [new PostgresTokenStore({ client: pool, table, lockTtlMs: 200 }), new RedisTokenStore({ client: redis, key, lockTtlMs: 200 })]) {
    const order: string[] = []
    // The first holder outlives its lease (as a crashed replica would); the second gets the lock once it expires.
    const stuck = store.withLock('m1', async () => { await sleep(800); order.push('stuck done') })
    await sleep(30)
    await store.withLock('m1', async () => { order.push('second in') })
    await stuck
    t.same(order, ['second in', 'stuck done'], store.constructor.name)
  }
})
