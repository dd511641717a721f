import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { ERR_CONFIG_INVALID, ERR_HOST_REFUSED } from './errors.js'

/**
 * Address ranges a portal may not point the connector at unless allowed: loopback, private, link-local and the like.
 * IPv6 forms that embed an IPv4 address (IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96`, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`) are judged by the IPv4 address they embed.
 */
export const RESTRICTED_RANGES: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this" network
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local (cloud metadata services)
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64 (any embedding)
  ['2001::', 32, 'ipv6'], // Teredo (embeds an obfuscated IPv4 address)
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['ff00::', 8, 'ipv6'] // multicast
]

const restricted = new BlockList()
for (const [network, prefix, family] of RESTRICTED_RANGES) restricted.addSubnet(network, prefix, family)

/** Resolves a host name to every address it has. */
export type HostLookup = (host: string) => Promise<string[]>

const systemLookup: HostLookup = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)

/**
 * Decides which database hosts a portal may name. Public addresses are allowed; restricted ones
 * (see `RESTRICTED_RANGES`) only when `allowHosts` lists the address, a network containing it (CIDR),
 * or the host name itself.
 *
 * @example
 * const guard = new HostGuard(['127.0.0.1', '10.1.0.0/16', 'db.internal'])
 * const address = await guard.resolve('db.example.com') // connect to this address, not to the name
 */
export class HostGuard {
  readonly #names = new Set<string>()
  readonly #allowed = new BlockList()
  readonly #lookup: HostLookup

  constructor (allowHosts: readonly string[] = [], lookupHost: HostLookup = systemLookup) {
    this.#lookup = lookupHost
    for (const entry of allowHosts) {
      const [address, prefix] = entry.split('/') as [string, string | undefined]
      const family = isIP(address)
      if (family === 0) {
        if (prefix !== undefined || !/^[a-z0-9.-]+$/i.test(entry)) throw new ERR_CONFIG_INVALID('allowHosts', `'${entry}' is not an address, a network or a host name`)
        this.#names.add(entry.toLowerCase())
        continue
      }
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix)
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new ERR_CONFIG_INVALID('allowHosts', `'${entry}' has an invalid prefix`)
      this.#allowed.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6')
    }
  }

  /**
   * Resolves `host` and checks every address it has; answers the first one, to connect to
   * (connecting to the checked address, not the name, leaves no room for DNS rebinding).
   * Throws `ERR_HOST_REFUSED` when any address is restricted and not allowed, or the name does not resolve.
   */
  async resolve (host: string): Promise<string> {
    const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')
    if (name === '') throw new ERR_HOST_REFUSED(host)
    let addresses: string[]
    try {
      addresses = isIP(name) !== 0 ? [name] : await this.#lookup(name)
    } catch (error) {
      throw new ERR_HOST_REFUSED(host, { cause: error })
    }
    if (addresses.length === 0) throw new ERR_HOST_REFUSED(host)
    if (!this.#names.has(name)) {
      for (const address of addresses) if (!this.allows(address)) throw new ERR_HOST_REFUSED(host)
    }
    return addresses[0]!
  }

  /** True when a connection to `address` (an IP) is allowed. */
  allows (address: string): boolean {
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6'
    if (this.#allowed.check(address, family)) return true
    const embedded = family === 'ipv6' ? embeddedIpv4(address) : undefined
    if (embedded !== undefined) return this.allows(embedded)
    return !restricted.check(address, family)
  }
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
