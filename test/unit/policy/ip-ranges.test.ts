import Fastify from 'fastify'
import t from 'tap'
import { loadConfig } from '../../../src/cli/config.js'
import { HostGuard } from '../../../src/policy/host-guard.js'
import { ipRangeMatcher, parseIpRange } from '../../../src/policy/ip-ranges.js'
import { restrictedAddressKind } from '../../../src/policy/network-address.js'
import { guardPlugin } from '../../../plugins/guard.js'

const BAD = ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/9', '10.0.0.0/8.5', '10.0.0.0/ 8', 'intranet', '']
const GOOD = ['10.0.0.0/8', '10.0.0.0/32', '0.0.0.0/0', '192.0.2.7', '2001:db8::/32', '::/0', '::1', 'fe80::/10']

t.test('one CIDR reader: prefix lengths within the family, nothing else', async (t) => {
  for (const text of BAD) t.equal(parseIpRange(text), undefined, `'${text}' refused`)
  for (const text of GOOD) t.ok(parseIpRange(text), `'${text}' read`)
  t.same(parseIpRange('10.1.0.0/16'), { address: '10.1.0.0', bits: 16, family: 'ipv4' })
  t.same(parseIpRange('192.0.2.7'), { address: '192.0.2.7', bits: 32, family: 'ipv4' })
  t.same(parseIpRange('2001:db8::/32'), { address: '2001:db8::', bits: 32, family: 'ipv6' })
})

t.test('regression: the guard plugin refused no out-of-bounds prefix (10.0.0.0/33 was accepted)', async (t) => {
  for (const range of ['10.0.0.0/33', '::/129', '10.0.0.0/']) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => await app.register(guardPlugin, { allowIps: ['127.0.0.1', range] }).ready(),
      { code: 'B24BI_ERR_CONFIG_INVALID', message: /'allowIps\.1'/ }, `guardPlugin refuses ${range}`)
  }
})

t.test('the guard, the configuration and the host guard agree on every range', async (t) => {
  for (const range of [...BAD.filter((text) => text !== 'intranet' && text !== ''), ...GOOD]) {
    const valid = parseIpRange(range) !== undefined
    const matcher = (): unknown => ipRangeMatcher([range], 'allowIps')
    if (valid) t.doesNotThrow(matcher, `matcher takes ${range}`)
    else t.throws(matcher, { code: 'B24BI_ERR_CONFIG_INVALID' }, `matcher refuses ${range}`)
    const config = (): unknown => loadConfig({ env: { B24BI_ALLOW_IPS: range } })
    if (valid) t.doesNotThrow(config, `config takes ${range}`)
    else t.throws(config, { code: 'B24BI_ERR_CONFIG_INVALID', message: /allowIps\.0/ }, `config refuses ${range}`)
    const hosts = (): unknown => new HostGuard([range])
    if (valid) t.doesNotThrow(hosts, `host guard takes ${range}`)
    else t.throws(hosts, { code: 'B24BI_ERR_CONFIG_INVALID' }, `host guard refuses ${range}`)
  }
})

t.test('a matcher reads IPv4-mapped clients as IPv4, and only those', async (t) => {
  const allowed = ipRangeMatcher(['10.1.0.0/16', '2001:db8::/32'], 'allowIps')
  t.ok(allowed('10.1.2.3'))
  t.ok(allowed('::ffff:10.1.2.3'), 'IPv4-mapped')
  t.ok(allowed('2001:db8::7'))
  t.notOk(allowed('10.2.0.1'))
  t.notOk(allowed('2002:a01:203::'), 'a 6to4 address is another host, not 10.1.2.3')
  t.notOk(allowed('not an address'))
})

t.test('one restricted-range table: the public URL check sees the embedded IPv4 forms the host guard refuses', async (t) => {
  const guard = new HostGuard()
  for (const address of ['::ffff:7f00:1', '64:ff9b::a00:1', '2002:a9fe:a9fe::1', '2001::1', '64:ff9b:1::1', '10.0.0.1', '::1']) {
    t.ok(restrictedAddressKind(address), `${address} is restricted`)
    t.notOk(guard.allows(address), `${address} refused by the host guard`)
  }
  t.equal(restrictedAddressKind('64:ff9b::a00:1'), 'a private address')
  for (const address of ['8.8.8.8', '64:ff9b::808:808', '2606:4700::1111']) {
    t.equal(restrictedAddressKind(address), undefined, `${address} is public`)
    t.ok(guard.allows(address), `${address} allowed by the host guard`)
  }
})
