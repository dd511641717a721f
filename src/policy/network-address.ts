import { BlockList, isIP } from 'node:net'

/**
 * Address ranges a Bitrix24 portal will not (or cannot) call, and a portal may not point the connector at unless
 * allowed: loopback, private, link-local and the like, each with a word for messages. IPv6 forms that embed an IPv4
 * address (IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged
 * by the IPv4 address they embed (see `embeddedIpv4`).
 */
export const RESTRICTED_RANGES: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'], // cloud metadata services
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'], // and broadcast
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['64:ff9b:1::', 48, 'ipv6', 'a local-use NAT64 address'], // any embedding
  ['2001::', 32, 'ipv6', 'a Teredo address'], // embeds an obfuscated IPv4 address
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
 * for a public one (and for anything that is not an IP). An IPv6 address embedding an IPv4 one is judged by it.
 *
 * @example
 * restrictedAddressKind('127.0.0.1') // 'a loopback address'
 * restrictedAddressKind('::ffff:10.0.0.7') // 'a private address'
 * restrictedAddressKind('8.8.8.8') // undefined
 */
export function restrictedAddressKind (address: string): string | undefined {
  const plain = address.replace(/^\[(.*)\]$/, '$1')
  const family = isIP(plain)
  if (family === 0) return undefined
  const embedded = family === 6 ? embeddedIpv4(plain) : undefined
  if (embedded !== undefined) return restrictedAddressKind(embedded)
  const name = family === 4 ? 'ipv4' : 'ipv6'
  return lists.find((entry) => entry.family === name && entry.list.check(plain, name))?.kind
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part is read too); undefined if malformed. */
function ipv6Groups (address: string): number[] | undefined {
  let text = address.replace(/%.*$/, '').toLowerCase()
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted !== null) {
    const bytes = dotted[2]!.split('.').map(Number)
    text = dotted[1]! + ((bytes[0]! << 8) | bytes[1]!).toString(16) + ':' + ((bytes[2]! << 8) | bytes[3]!).toString(16)
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined]
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = 8 - left.length - right.length
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((group) => parseInt(group, 16))
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined
}

const ipv4Of = (high: number, low: number): string => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`

/**
 * The IPv4 address an IPv6 address carries, for the forms that reach it: IPv4-mapped (`::ffff:a.b.c.d`),
 * IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::/48`). Undefined otherwise.
 */
export function embeddedIpv4 (address: string): string | undefined {
  const g = ipv6Groups(address)
  if (g === undefined) return undefined
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((group) => group === 0)
  if (zeros(0, 5) && g[5] === 0xffff) return ipv4Of(g[6]!, g[7]!)
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return ipv4Of(g[6]!, g[7]!) // ::/96 without :: and ::1
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return ipv4Of(g[6]!, g[7]!)
  if (g[0] === 0x2002) return ipv4Of(g[1]!, g[2]!)
  return undefined
}
