import t from 'tap'
import { Agent, request } from 'undici'
import { serve } from './served.js'

// Finding 6 (failed logins never limited), against `b24bi serve` as it starts with no configuration: its defaults
// turn the limit on. The limit itself (per address, per database host, its defaults, the off switch) and equivalent
// spellings of a database as one credential are shown in-process: test/unit/runtime/auth-failures.test.ts and
// test/integration/sql/portal-logins.test.ts; IPv6 forms of loopback in test/unit/policy/host-guard-ipv6.test.ts.
const TOKEN = 'logins-attack-token-77c1'
const GUESSES = 80
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
