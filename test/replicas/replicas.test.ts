import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { RedisTokenStore } from '../../src/token-store/redis-token-store.js'
import { FakePortal } from '../fake-portal/fake-portal.js'
import { Balancer } from './balancer.js'
import { OAuthRouter } from './oauth-router.js'
import { killReplica, startReplica, type Replica } from './replica.js'

// Three `b24bi serve` processes (the built CLI) on loopback behind a round-robin balancer, PostgreSQL as the
// source, Redis as the shared store. Figures are printed (t.comment); nothing here asserts a duration.

const TOKEN = `replicas-${randomBytes(6).toString('hex')}`
const REDIS = 'redis://127.0.0.1:6379/11'
const PREFIX = `b24bi-replicas-${randomBytes(4).toString('hex')}:`
const HASH_KEY = randomBytes(32).toString('hex')
const POOL_SIZE = 2
const ADAPTER = JSON.stringify({
  url: 'postgres://postgres@127.0.0.1:5432/test',
  token: TOKEN,
  poolSize: POOL_SIZE,
  batchSize: 10,
  exposure: { schemas: { allow: ['b24bi_replicas_none'] } },
  datasets: [
    // ~10 ms a row, 10 rows a batch: a read holds one connection for seconds while its bytes trickle out.
    { name: 'slow', sql: 'SELECT n FROM generate_series(1, 400) AS n, LATERAL (SELECT pg_sleep(0.01)) AS s' },
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
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await condition()) return
    await sleep(50)
  }
  throw new Error(`never: ${what}`)
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
