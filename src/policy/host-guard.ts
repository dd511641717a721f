import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { ERR_CONFIG_INVALID, ERR_HOST_REFUSED } from '../core/errors.js'
import { parseIpRange } from './ip-ranges.js'
import { embeddedIpv4, restrictedAddressKind } from './network-address.js'

/** Resolves a host name to every address it has. */
export type HostLookup = (host: string) => Promise<string[]>

const systemLookup: HostLookup = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)

/**
 * Decides which database hosts a portal may name. Public addresses are allowed; restricted ones
 * (see `RESTRICTED_RANGES` in network-address.ts) only when `allowHosts` lists the address, a network containing it (CIDR),
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
      if (isIP(entry.split('/')[0]!) === 0) {
        if (entry.includes('/') || !/^[a-z0-9.-]+$/i.test(entry)) throw new ERR_CONFIG_INVALID('allowHosts', `'${entry}' is not an address, a network or a host name`)
        this.#names.add(entry.toLowerCase())
        continue
      }
      const range = parseIpRange(entry)
      if (range === undefined) throw new ERR_CONFIG_INVALID('allowHosts', `'${entry}' has an invalid prefix`)
      this.#allowed.addSubnet(range.address, range.bits, range.family)
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
    return restrictedAddressKind(address) === undefined
  }
}
