import t from 'tap'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'

t.test('wrong tokens from one address end in 429 AUTH_THROTTLED, whatever the token', async (t) => {
  const app = await demoServer({ runtime: { authFailures: { max: 5, windowSeconds: 600 } } })
  t.teardown(() => app.close())
  const check = async (token: string, remoteAddress = '203.0.113.7'): Promise<{ statusCode: number, headers: Record<string, unknown>, body: string }> =>
    await app.inject({ method: 'POST', url: '/api/check', remoteAddress, ...form({ connection: { token } }) })
  t.equal((await check(TOKEN)).statusCode, 200, 'a proven token first')
  const statuses: number[] = []
  for (let i = 0; i < 20; i++) statuses.push((await check(`guess-${i}`)).statusCode)
  t.same(statuses.slice(0, 5), [401, 401, 401, 401, 401])
  t.ok(statuses.slice(5).every((status) => status === 429), 'every later guess is 429')
  const limited = await check('guess-x')
  t.match(JSON.parse(limited.body), { error: 'B24BI_ERR_AUTH_THROTTLED', message: /retry in \d+ seconds/ })
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After')
  t.equal((await check(TOKEN)).statusCode, 200, 'a credential already proven keeps working from that address')
  t.equal((await check('guess-other', '198.51.100.9')).statusCode, 401, 'another address has its own allowance')
})

t.test('authFailures false turns the failure limit off', async (t) => {
  const app = await demoServer({ runtime: { authFailures: false } })
  t.teardown(() => app.close())
  for (let i = 0; i < 80; i++) {
    const answer = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { token: `guess-${i}` } }) })
    if (answer.statusCode !== 401) t.fail(`attempt ${i} answered ${answer.statusCode}`)
  }
  t.pass('80 refused attempts, no 429')
})

t.test('by default 60 refused logins a minute from one address, then 429 AUTH_THROTTLED', async (t) => {
  const app = await demoServer()
  t.teardown(() => app.close())
  const statuses: number[] = []
  for (let i = 0; i < 80; i++) {
    statuses.push((await app.inject({ method: 'POST', url: '/api/check', remoteAddress: '203.0.113.8', ...form({ connection: { token: `guess-${i}` } }) })).statusCode)
  }
  t.same(statuses, [...Array(60).fill(401), ...Array(20).fill(429)])
})
