import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { PageSessions } from '../../../src/bitrix/app-page/session.js'
import { RedisTokenStore } from '../../../src/bitrix/token-store/redis-token-store.js'
import { FakePortal } from '../../helpers/fake-portal/fake-portal.js'
import { eventually } from '../../helpers/eventually.js'
import { POSTGRES, redisUrl } from '../../helpers/services.js'
import { Balancer } from './balancer.js'
import { OAuthRouter } from './oauth-router.js'
import { killReplica, startReplica, type Replica } from './replica.js'

// Three `b24bi serve` processes (the built CLI) on loopback behind a round-robin balancer, PostgreSQL as the
// source, Redis as the shared store. Figures are printed (t.comment); nothing here asserts a duration.

const TOKEN = `replicas-${randomBytes(6).toString('hex')}`
const REDIS = redisUrl(11)
const PREFIX = `b24bi-replicas-${randomBytes(4).toString('hex')}:`
const HASH_KEY = randomBytes(32).toString('hex')
const POOL_SIZE = 2
const ADAPTER = JSON.stringify({
  url: POSTGRES.url,
  token: TOKEN,
  poolSize: POOL_SIZE,
  batchSize: 10,
  exposure: { schemas: { allow: ['b24bi_replicas_none'] } },
  datasets: [
    // ~3 ms a row of ~300 bytes, 10 rows a batch: a read holds one connection for seconds while its bytes go out
    // in the writer's 64 KiB chunks (the first one long before the last).
    { name: 'slow', sql: "SELECT n, repeat('x', 300) AS pad FROM generate_series(1, 1500) AS n, LATERAL (SELECT pg_sleep(0.003) WHERE n > 0) AS s" },
    { name: 'small', sql: 'SELECT n FROM generate_series(1, 20) AS n' }
  ]
})

function env (extra: Record<string, string> = {}): Record<string, string> {
  return {
    B24BI_ADAPTER: 'postgres',
    B24BI_ADAPTER_OPTIONS: ADAPTER,
    B24BI_SHARED_STORE: REDIS,
    B24BI_SHARED_STORE_PREFIX: PREFIX,
    B24BI_HASH_KEY: HASH_KEY,
    B24BI_DRAIN_S: '1', // the balancer checks every 100 ms and needs 2 failures: well within a second
    B24BI_UNDER_PRESSURE: 'false', // a loaded 2-core test machine is not what this test is about
    B24BI_CONCURRENT_READS_PER_CREDENTIAL: '8', // one token streams more than the default 2 answers at once here
    ...extra
  }
}

interface Answer { status: number, code?: string, body: string, complete: boolean, replica: number }

/** POSTs a form body through one new connection; resolves with the whole answer, or its broken part. */
async function post (port: number, path: string, body: string, onFirstByte?: (replica: number) => void): Promise<Answer> {
  return await new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      const replica = Number(res.headers['x-replica'] ?? 0)
      let text = ''
      let first = true
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (first) { first = false; onFirstByte?.(replica) }
        text += chunk
      })
      const done = (): void => {
        let code: string | undefined
        try { code = (JSON.parse(text) as { error?: string }).error } catch {}
        resolve({ status: res.statusCode ?? 0, code, body: text, complete: res.complete, replica })
      }
      res.on('end', done)
      res.on('error', done)
      res.on('aborted', done)
    })
    req.on('error', (error) => resolve({ status: 0, body: String(error), complete: false, replica: 0 }))
    req.end(body)
  })
}

const connection = `connection[token]=${TOKEN}`

function isValidJson (text: string): boolean {
  try { JSON.parse(text); return true } catch { return false }
}

async function waitUntil (condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  if (!await eventually(async () => await condition(), 30_000)) throw new Error(`never: ${what}`)
}

/** A trio of replicas behind one balancer; every process is killed at teardown. */
async function trio (t: Test, extra: (balancerPort: number) => Record<string, string>): Promise<{ balancer: Balancer, replicas: Replica[], start: () => Promise<Replica> }> {
  const balancer = new Balancer(100)
  await balancer.start()
  const all: Replica[] = []
  t.teardown(async () => {
    await Promise.all(all.map(killReplica))
    await balancer.close()
  })
  const start = async (): Promise<Replica> => {
    const replica = await startReplica(env(extra(balancer.port)))
    all.push(replica)
    balancer.add(replica.port)
    return replica
  }
  const replicas = await Promise.all([start(), start(), start()])
  return { balancer, replicas, start }
}

t.before(async () => {
  const redis = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  t.teardown(async () => {
    const keys = await redis.keys(PREFIX + '*')
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })
})

t.test('a 30/min limit admits 30 of 90 calls through the balancer, whichever replica each lands on', async (t) => {
  const { balancer } = await trio(t, () => ({ B24BI_RATE_LIMIT_MAX: '30', B24BI_RATE_LIMIT_WINDOW_S: '60' }))
  const answers: Answer[] = []
  for (let i = 0; i < 90; i++) answers.push(await post(balancer.port, '/api/check', connection))
  const admitted = answers.filter((answer) => answer.status === 200).length
  const limited = answers.filter((answer) => answer.status === 429 && answer.code === 'B24BI_ERR_RATE_LIMITED').length
  const perReplica = [...new Set(answers.map((answer) => answer.replica))].map((port) => answers.filter((answer) => answer.replica === port).length)
  t.comment(`rate limit 30/min through 3 replicas: admitted ${admitted} of 90, ${limited} answered 429; calls per replica ${perReplica.join('/')}`)
  t.equal(perReplica.length, 3, 'the calls were spread over three replicas')
  t.equal(admitted, 30, 'exactly the limit, not three times it')
  t.equal(limited, 60)
})

t.test('installs, a busy pool, kill -9 and a rolling restart, through three replicas', async (t) => {
  const portals = await Promise.all(Array.from({ length: 30 }, async () => await FakePortal.start()))
  const router = new OAuthRouter(portals)
  await router.start()
  t.teardown(async () => {
    await router.close()
    await Promise.all(portals.map(async (portal) => await portal.close()))
  })
  const { balancer, replicas, start } = await trio(t, (port) => ({
    B24BI_RATE_LIMIT_MAX: '100000',
    B24BI_CLIENT_ID: portals[0]!.clientId,
    B24BI_CLIENT_SECRET: portals[0]!.clientSecret, // the portal whose token expires below renews with it
    B24BI_PUBLIC_URL: `http://127.0.0.1:${port}`,
    B24BI_OAUTH_SERVER: router.oauthServer,
    B24BI_OAUTH_REST_SERVER: router.oauthRestServer,
    B24BI_TOKEN_STORE: REDIS,
    B24BI_PORTAL_HOSTS: '127.0.0.1',
    B24BI_PORTAL_HTTP: 'true'
  }))

  await t.test('30 concurrent installs through the balancer are all stored', async (t) => {
    const answers = await Promise.all(portals.map(async (portal) => await portal.install(`http://127.0.0.1:${balancer.port}/bitrix24/install`)))
    t.same(answers.map((answer) => answer.status), answers.map(() => 200), answers.find((answer) => answer.status !== 200)?.body ?? 'all 200')
    const redis = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 1 })
    await redis.connect()
    t.teardown(async () => { await redis.quit() })
    const store = new RedisTokenStore({ client: redis })
    const stored = (await Promise.all(portals.map(async (portal) => await store.get(portal.memberId)))).filter((tokens) => tokens !== undefined)
    t.comment(`installs: ${stored.length} of 30 stored; served per replica ${[...balancer.served.values()].join('/')}`)
    t.equal(stored.length, 30, 'every portal has its tokens in the shared store')
    t.equal(portals.filter((portal) => portal.state.connectors.size === 1).length, 30, 'every portal has the connector registered once')
    await Promise.all(portals.map(async (portal) => await store.delete(portal.memberId)))
  })

  await t.test('an expired token met by all three replicas at once: exactly one refresh, no failed call', async (t) => {
    const portal = portals[0]!
    t.equal((await portal.install(`http://127.0.0.1:${balancer.port}/bitrix24/install`)).status, 200)
    portal.delayGrants(() => 20 + Math.floor(Math.random() * 130)) // overlapping renewals, as over a network
    // The app page's status reads the portal's connector list with the stored tokens: one call per replica, together.
    const session = new PageSessions(portal.clientSecret).issue({ memberId: portal.memberId, admin: true, expiresAt: Date.now() + 60_000 })
    const rounds = 5
    const refreshes: number[] = []
    const failed: unknown[] = []
    const refusedBefore = portal.refusedRenewals
    for (let round = 0; round < rounds; round++) {
      portal.expireTokens()
      const before = portal.renewals
      const answers = await Promise.all(replicas.map(async (replica) => {
        const response = await fetch(`http://127.0.0.1:${replica.port}/bitrix24/app/api/status`, { headers: { authorization: `Bearer ${session}` } })
        return { status: response.status, body: await response.json() as { oauth?: { ok: boolean, error?: string }, connector?: { registered: boolean } } }
      }))
      refreshes.push(portal.renewals - before)
      failed.push(...answers.filter((answer) => answer.status !== 200 || answer.body.oauth?.ok !== true || answer.body.connector?.registered !== true))
    }
    t.comment(`expired token met by 3 replicas at once, ${rounds} times: refreshes per expiry ${refreshes.join(', ')}; ${portal.refusedRenewals - refusedBefore} refused grants; ${failed.length} failed calls of ${rounds * 3}`)
    t.same(refreshes, refreshes.map(() => 1), 'one refresh per expiry')
    t.same(failed, [], 'no call failed')
  })

  await t.test(`/ready stays 200 on a replica streaming at its pool size (${POOL_SIZE})`, async (t) => {
    const busy = replicas[0]!
    let streaming = 0
    const reads = Array.from({ length: POOL_SIZE + 1 }, async () => await post(busy.port, '/api/data', `${connection}&table=slow`, () => { streaming++ }))
    await waitUntil(() => streaming >= POOL_SIZE, 'the pool is busy streaming')
    const statuses: number[] = []
    while (streaming < POOL_SIZE + 1 || statuses.length < 5) {
      const response = await fetch(`http://127.0.0.1:${busy.port}/ready`)
      await response.arrayBuffer()
      statuses.push(response.status)
      await sleep(100)
      if (statuses.length > 400) break
    }
    const answers = await Promise.all(reads)
    t.comment(`/ready on a replica with ${POOL_SIZE} of ${POOL_SIZE} connections streaming: ${statuses.filter((status) => status === 200).length} of ${statuses.length} probes 200`)
    t.ok(statuses.every((status) => status === 200), 'every probe answered 200')
    t.ok(balancer.isUp(busy.port), 'the balancer kept the replica in service')
    t.ok(answers.every((answer) => answer.status === 200 && answer.complete && isValidJson(answer.body)), 'every read completed')
  })

  await t.test('kill -9 mid-stream: the client sees a broken transfer, never a valid-looking truncated answer', async (t) => {
    let victim: Replica | undefined
    const answer = await post(balancer.port, '/api/data', `${connection}&table=slow`, (port) => {
      victim = replicas.find((replica) => replica.port === port)
      victim?.child.kill('SIGKILL')
    })
    t.ok(victim !== undefined, 'the stream came from a known replica, killed after its first bytes')
    t.equal(answer.status, 200, 'the answer had begun')
    t.notOk(answer.complete, 'the transfer is broken')
    t.notOk(isValidJson(answer.body), `the partial body (${answer.body.length} bytes) is not valid JSON`)
    t.comment(`kill -9 mid-stream: ${answer.body.length} bytes arrived before the cut; complete=${String(answer.complete)}`)
    await victim!.exited
    balancer.remove(victim!.port)
    replicas.splice(replicas.indexOf(victim!), 1, await start())
    const after = await post(balancer.port, '/api/data', `${connection}&table=small`)
    t.equal(after.status, 200, 'the others go on serving')
  })

  await t.test('a rolling restart under load (SIGTERM, drain, replace, one by one) fails no request', async (t) => {
    let stop = false
    let calls = 0
    const failures: string[] = []
    const count = (what: string, answer: Answer, expect: (answer: Answer) => boolean): void => {
      calls++
      if (!expect(answer)) failures.push(`${what}: ${answer.status} ${answer.code ?? ''} complete=${String(answer.complete)} ${answer.body.slice(0, 80)}`)
    }
    const small = async (): Promise<void> => {
      while (!stop) {
        count('check', await post(balancer.port, '/api/check', connection), (answer) => answer.status === 200)
        count('table_list', await post(balancer.port, '/api/table_list', connection), (answer) => answer.status === 200)
        count('data small', await post(balancer.port, '/api/data', `${connection}&table=small`), (answer) => answer.status === 200 && answer.complete && isValidJson(answer.body))
      }
    }
    const streams = async (): Promise<void> => {
      while (!stop) count('data slow', await post(balancer.port, '/api/data', `${connection}&table=slow`), (answer) => answer.status === 200 && answer.complete && isValidJson(answer.body))
    }
    const load = [small(), small(), small(), streams()]
    const exits: Array<number | string | null> = []
    for (const old of [...replicas]) {
      const fresh = await start()
      await sleep(300) // the new replica takes calls before the old one leaves
      old.child.kill('SIGTERM')
      exits.push(await old.exited)
      balancer.remove(old.port)
      replicas.splice(replicas.indexOf(old), 1, fresh)
    }
    stop = true
    await Promise.all(load)
    t.comment(`rolling restart of 3 replicas under load: ${failures.length} failed calls of ${calls}`)
    t.same(failures, [], 'no call failed')
    t.same(exits, [0, 0, 0], 'each old replica exited 0 after its drain')
  })
})
