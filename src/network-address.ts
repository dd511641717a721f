import { BlockList, isIP } from 'node:net'

/**
 * Address ranges a Bitrix24 portal will not (or cannot) call: loopback, private, link-local and the like, each
 * with a word for messages. The one classification in the core (the SQL adapters' host guard keeps its own copy
 * for now in `adapters/sql/host-guard.ts`).
 */
export const RESTRICTED_RANGES: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['fc00::', 7, 'ipv6', 'a unique local (private) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address']
]

const lists = RESTRICTED_RANGES.map(([network, prefix, family, kind]) => {
  const list = new BlockList()
  list.addSubnet(network, prefix, family)
  return { list, family, kind }
})

/**
 * What kind of restricted address `address` is (`'a loopback address'`, `'a private address'`, ...), or undefined
 * for a public one (and for anything that is not an IP). IPv4-mapped IPv6 addresses are read as IPv4.
 *
 * @example
 * restrictedAddressKind('127.0.0.1') // 'a loopback address'
 * restrictedAddressKind('8.8.8.8') // undefined
 */
export function restrictedAddressKind (address: string): string | undefined {
  const plain = address.replace(/^\[(.*)\]$/, '$1')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain)?.[1] ?? plain
  const family = isIP(mapped)
  if (family === 0) return undefined
  const name = family === 4 ? 'ipv4' : 'ipv6'
  return lists.find((entry) => entry.family === name && entry.list.check(mapped, name))?.kind
}
