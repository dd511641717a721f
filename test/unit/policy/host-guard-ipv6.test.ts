import t from 'tap'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { HostGuard } from '../../../src/policy/host-guard.js'
import { embeddedIpv4 } from '../../../src/policy/network-address.js'
import { buildServer } from '../../../src/server/index.js'

t.test('the host guard refuses IPv6 forms that embed a restricted IPv4 address (NAT64, 6to4, IPv4-compatible, Teredo)', async (t) => {
  const guard = new HostGuard()
  for (const address of ['::127.0.0.1', '::7f00:1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b::a00:1', '2002:7f00:1::', '2002:a9fe:a9fe::1',
    '2001::1', '64:ff9b:1::1', '::ffff:7f00:1']) {
    t.notOk(guard.allows(address), `${address} is refused`)
    await t.rejects(guard.resolve(address), { code: 'B24BI_ERR_HOST_REFUSED' }, `${address} resolves to a refusal`)
  }
  for (const address of ['64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8', '2606:4700::1111']) t.ok(guard.allows(address), `${address} (public) is allowed`)
  t.equal(embeddedIpv4('64:ff9b::a9fe:a9fe'), '169.254.169.254')
  t.equal(embeddedIpv4('2002:0a00:0001::'), '10.0.0.1')
  t.equal(embeddedIpv4('2606:4700::1111'), undefined)
  t.ok(new HostGuard(['127.0.0.1']).allows('64:ff9b::7f00:1'), 'an allowed IPv4 address stays allowed in its IPv6 forms')
})

t.test('portal mode: the IPv6 forms that embed a loopback address are answered 403 HOST_REFUSED before any connection', async (t) => {
  const app = await buildServer({ adapter: new PostgresAdapter({ portal: {} }), logger: false, runtime: { authCacheSeconds: 0 } })
  t.teardown(() => app.close())
  const base = { port: '5432', database: 'test', user: 'postgres', password: '' }
  for (const host of ['::127.0.0.1', '::7f00:1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', '2001::1', '[64:ff9b::7f00:1]', '::ffff:127.0.0.1']) {
    const answer = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { ...base, host } } })
    t.same([answer.statusCode, answer.json().error], [403, 'B24BI_ERR_HOST_REFUSED'], host)
  }
})
