import t from 'tap'
import { demoServer, form, TOKEN } from '../../helpers/demo-server.js'

const SECRET = 'a-long-shared-secret-0123456789'
const check = form({ connection: { token: TOKEN } })

t.test('shared secret: header or query parameter, compared exactly; probes stay open', async (t) => {
  const app = await demoServer({ sharedSecret: SECRET })
  t.teardown(() => app.close())
  const missing = await app.inject({ method: 'POST', url: '/api/check', ...check })
  t.equal(missing.statusCode, 403)
  t.same(missing.json(), { error: 'B24BI_ERR_ACCESS_DENIED', message: 'Access denied: missing or wrong shared secret' })
  const header = await app.inject({ method: 'POST', url: '/api/check', payload: check.payload, headers: { ...check.headers, 'x-b24bi-secret': SECRET } })
  t.equal(header.statusCode, 200, 'header')
  const query = await app.inject({ method: 'POST', url: `/api/check?secret=${SECRET}`, ...check })
  t.equal(query.statusCode, 200, 'query parameter')
  for (const wrong of [SECRET.slice(0, -1), SECRET + 'x', '', SECRET.toUpperCase()]) {
    const response = await app.inject({ method: 'POST', url: `/api/check?secret=${encodeURIComponent(wrong)}`, ...check })
    t.equal(response.statusCode, 403, `wrong secret '${wrong.slice(0, 6)}…' refused`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 403, 'metrics need it too')
  t.equal((await app.inject({ method: 'GET', url: `/metrics?secret=${SECRET}` })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health open')
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200, '/ready open')
})

t.test('IP allow-list: CIDR ranges, IPv4-mapped addresses, X-Forwarded-For only with trustProxy', async (t) => {
  const app = await demoServer({ allowIps: ['10.1.0.0/16', '2001:db8::/32'] })
  t.teardown(() => app.close())
  const from = async (remoteAddress: string, headers: Record<string, string> = {}): Promise<number> =>
    (await app.inject({ method: 'POST', url: '/api/check', payload: check.payload, headers: { ...check.headers, ...headers }, remoteAddress })).statusCode
  t.equal(await from('10.1.2.3'), 200)
  t.equal(await from('::ffff:10.1.2.3'), 200, 'IPv4-mapped')
  t.equal(await from('2001:db8::7'), 200, 'IPv6 range')
  t.equal(await from('10.2.0.1'), 403)
  t.equal(await from('127.0.0.1'), 403)
  t.equal(await from('192.0.2.1', { 'x-forwarded-for': '10.1.2.3' }), 403, 'X-Forwarded-For ignored without trustProxy')
  t.equal((await app.inject({ method: 'GET', url: '/health', remoteAddress: '192.0.2.1' })).statusCode, 200, 'probes open')

  const proxied = await demoServer({ allowIps: ['10.1.0.0/16'], trustProxy: '127.0.0.1' })
  t.teardown(() => proxied.close())
  const via = async (forwarded: string): Promise<number> =>
    (await proxied.inject({ method: 'POST', url: '/api/check', payload: check.payload, headers: { ...check.headers, 'x-forwarded-for': forwarded }, remoteAddress: '127.0.0.1' })).statusCode
  t.equal(await via('10.1.9.9'), 200, 'the client behind the trusted proxy')
  t.equal(await via('203.0.113.5'), 403)
})

t.test('a malformed range fails at build time naming it', async (t) => {
  await t.rejects(demoServer({ allowIps: ['10.0.0.0/8', 'intranet'] }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /'allowIps\.1'/ })
})
