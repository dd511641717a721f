import t from 'tap'
import { Agent, request } from 'undici'
import { MysqlAdapter } from '../../../adapters/mysql/index.js'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { ensurePgTables, testPool } from '../../helpers/pg-fixture.js'
import { liveServer, postForm } from '../../helpers/live-server.js'
import { MYSQL, POSTGRES } from '../../helpers/services.js'
import { serve } from './served.js'

// Findings 6 (failed logins never limited), 5 (equivalent spellings are new credentials) and 12 (IPv6 forms that
// embed IPv4), against running servers: `b24bi serve` for the token guessing, listening in-process servers where
// the test must see the adapter's pools.
const TOKEN = 'logins-attack-token-77c1'
const GUESSES = 2000
const ALLOWANCE = 60 // the default refused authentications per address and minute

interface Seen { status: number, code: string | undefined, retryAfter: string | undefined }

t.test(`${GUESSES} wrong tokens from one address against b24bi serve (defaults): ${ALLOWANCE} refusals, then coded 429s`, async (t) => {
  const server = await serve(t, { CONNECTOR_TOKEN: TOKEN })
  const agent = new Agent({ connections: 1 })
  t.teardown(async () => await agent.close())
  const check = async (token: string): Promise<Seen> => {
    const answer = await request(`${server.url}/api/check`, {
      dispatcher: agent,
      method: 'POST',
      body: JSON.stringify({ connection: { token } }),
      headers: { 'content-type': 'application/json' }
    })
    const body = await answer.body.text()
    const retryAfter = answer.headers['retry-after']
    return { status: answer.statusCode, code: answer.statusCode === 200 ? undefined : (JSON.parse(body) as { error: string }).error, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined }
  }
  t.equal((await check(TOKEN)).status, 200, 'the right token, proven once from this address')
  const started = performance.now()
  const seen: Seen[] = []
  for (let i = 0; i < GUESSES; i++) seen.push(await check(`guess-${i}-${'x'.repeat(i % 7)}`))
  const counts: Record<string, number> = {}
  for (const { status, code } of seen) counts[`${status} ${code ?? ''}`] = (counts[`${status} ${code ?? ''}`] ?? 0) + 1
  t.comment(`${GUESSES} guesses in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`)
  t.same(seen.slice(0, ALLOWANCE).map(({ status }) => status), Array(ALLOWANCE).fill(401), `the first ${ALLOWANCE} are refused 401`)
  const later = seen.slice(ALLOWANCE)
  t.equal(later.filter(({ status, code }) => status === 429 && code === 'B24BI_ERR_AUTH_THROTTLED').length, later.length, `the other ${later.length} are 429 B24BI_ERR_AUTH_THROTTLED`)
  t.ok(later.every(({ retryAfter }) => Number(retryAfter) > 0), 'each with a Retry-After')
  t.equal((await check(TOKEN)).status, 200, 'the credential proven before keeps working from this address')
})

t.test('portal mode: port=05432, port=5432 and other spellings of one database share one pool and one rate-limit allowance', async (t) => {
  const pool = testPool()
  await ensurePgTables(pool)
  await pool.end()
  const adapter = new PostgresAdapter({ portal: { allowHosts: [POSTGRES.host] }, exposure: { tables: { allow: ['b24bi_inject'] } } })
  const server = await liveServer(adapter, { rateLimit: { max: 4, windowSeconds: 600 } })
  t.teardown(() => server.app.close())
  const base = { database: POSTGRES.database, user: POSTGRES.user, password: POSTGRES.password }
  const { host: h, port: p } = POSTGRES
  for (const [host, port] of [[h, p], [h, `0${p}`], [` ${h}`, `00${p} `], [`${h} `, `+${p}`]]) {
    const answer = await postForm(`${server.url}/api/data`, { connection: { ...base, host, port }, table: 'b24bi_inject', limit: 2 })
    t.equal(answer.status, 200, `host '${host}' port '${port}': ${answer.body.slice(0, 120)}`)
  }
  t.equal(adapter.poolCount, 1, 'four spellings, one pool')
  const fifth = await postForm(`${server.url}/api/data`, { connection: { ...base, host: POSTGRES.host, port: `000${POSTGRES.port}` }, table: 'b24bi_inject', limit: 2 })
  t.equal(fifth.status, 429, 'a fifth spelling is over the one allowance of 4')
  t.match(JSON.parse(fifth.body), { error: 'B24BI_ERR_RATE_LIMITED' })
  t.equal(adapter.poolCount, 1, 'still one pool')
})

t.test('portal mode: IPv6 forms that embed a loopback IPv4 address are refused 403 before any connection', async (t) => {
  const server = await liveServer(new PostgresAdapter({ portal: {} }), { runtime: { authCacheSeconds: 0 } })
  t.teardown(() => server.app.close())
  const base = { port: '5432', database: 'test', user: 'postgres', password: '' }
  for (const host of ['::127.0.0.1', '::7f00:1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', '2001::1', '[64:ff9b::7f00:1]', '::ffff:127.0.0.1']) {
    const answer = await postForm(`${server.url}/api/check`, { connection: { ...base, host } })
    t.same([answer.status, JSON.parse(answer.body).error], [403, 'B24BI_ERR_HOST_REFUSED'], host)
  }
})

t.test('portal mode is no password-guessing relay: refused logins to one host end in coded 429s', async (t) => {
  const server = await liveServer(new MysqlAdapter({ portal: { allowHosts: [MYSQL.host] } }), { runtime: { authCacheSeconds: 0, authFailures: { max: 5, windowSeconds: 600 } } })
  t.teardown(() => server.app.close())
  const statuses: string[] = []
  for (let i = 0; i < 8; i++) {
    const answer = await postForm(`${server.url}/api/check`, { connection: { host: MYSQL.host, port: MYSQL.port, database: 'mysql', user: MYSQL.user, password: `guess-${i}` } })
    statuses.push(`${answer.status} ${String(JSON.parse(answer.body).error)}`)
  }
  t.same(statuses, [...Array(5).fill('401 B24BI_ERR_AUTH_REJECTED'), ...Array(3).fill('429 B24BI_ERR_AUTH_THROTTLED')])
})
