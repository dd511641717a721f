import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { ERR_CONFIG_INVALID, ERR_HOST_REFUSED } from '../../src/errors.js'

/** Address ranges a portal may not point the connector at unless allowed: loopback, private, link-local and the like. */
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
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
    const ip = mapped ?? address
    const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6'
    if (this.#allowed.check(ip, family)) return true
    return !restricted.check(ip, family)
  }
}
