import t from 'tap'
import { restrictedAddressKind } from '../../../src/policy/network-address.js'
import { checkPublicUrl } from '../../../src/bitrix/public-url.js'

t.test('addresses the portal cannot call are classified, public ones are not', async (t) => {
  t.equal(restrictedAddressKind('127.0.0.1'), 'a loopback address')
  t.equal(restrictedAddressKind('::1'), 'a loopback address')
  t.equal(restrictedAddressKind('[::1]'), 'a loopback address')
  t.equal(restrictedAddressKind('::ffff:10.0.0.7'), 'a private address', 'IPv4-mapped IPv6 read as IPv4')
  t.equal(restrictedAddressKind('172.31.255.1'), 'a private address')
  t.equal(restrictedAddressKind('169.254.169.254'), 'a link-local address')
  t.equal(restrictedAddressKind('fd12::1'), 'a unique local (private) address')
  t.equal(restrictedAddressKind('100.64.0.1'), 'a carrier-grade NAT address')
  for (const address of ['8.8.8.8', '172.32.0.1', '2a00:1450:4001::1', 'bi.example.com']) t.equal(restrictedAddressKind(address), undefined, address)
})

t.test('checkPublicUrl refuses loopback and private hosts, also behind a name', async (t) => {
  const lookup = async (host: string): Promise<string[]> => ({ 'bi.internal': ['10.1.2.3'], 'bi.example.com': ['93.184.215.14', '2606:2800:21f:cb07::1'], 'mixed.example.com': ['93.184.215.14', '192.168.1.5'] } as Record<string, string[]>)[host] ?? Promise.reject(new Error('ENOTFOUND'))
  t.same(await checkPublicUrl('https://bi.example.com/base', lookup), { addresses: ['93.184.215.14', '2606:2800:21f:cb07::1'] })
  t.same(await checkPublicUrl('https://only.the-portal-knows.example', lookup), { addresses: [] }, 'a name that does not resolve here is not refused')
  await t.rejects(checkPublicUrl('https://bi.internal', lookup), { code: 'B24BI_ERR_PUBLIC_URL_PRIVATE', message: /'bi\.internal' is a private address \(10\.1\.2\.3\)/ })
  await t.rejects(checkPublicUrl('https://mixed.example.com', lookup), { code: 'B24BI_ERR_PUBLIC_URL_PRIVATE', message: /192\.168\.1\.5/ }, 'any restricted address refuses')
  await t.rejects(checkPublicUrl('http://localhost:3000', lookup), { message: /'localhost' is a loopback name/ })
  await t.rejects(checkPublicUrl('http://app.localhost', lookup), { code: 'B24BI_ERR_PUBLIC_URL_PRIVATE' })
  await t.rejects(checkPublicUrl('https://[fe80::1]:8443', lookup), { message: /'fe80::1' is a link-local address/ })
})
