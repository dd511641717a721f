import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { ERR_PUBLIC_URL_PRIVATE } from '../core/errors.js'
import { restrictedAddressKind } from '../policy/network-address.js'

/** Resolves a host name to its addresses. */
export type HostLookup = (host: string) => Promise<string[]>

const systemLookup: HostLookup = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)

/** What `checkPublicUrl` found. */
export interface PublicUrlCheck {
  /** The addresses the host has (the host itself for an IP); empty when the name did not resolve here. */
  addresses: string[]
}

/**
 * Refuses a public URL the portal cannot call: a loopback or private host (`localhost`, `127.0.0.1`, `10.x`,
 * `192.168.x`, `fc00::/7`, ..., or a name resolving to one). A name that does not resolve here is not refused
 * (the portal's resolver may know it): the answer then lists no addresses. Throws `B24BI_ERR_PUBLIC_URL_PRIVATE`.
 *
 * @example
 * await checkPublicUrl('https://bi.example.com') // passes
 * await checkPublicUrl('http://127.0.0.1:3000') // throws B24BI_ERR_PUBLIC_URL_PRIVATE
 */
export async function checkPublicUrl (url: string, lookupHost: HostLookup = systemLookup): Promise<PublicUrlCheck> {
  const host = new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (host === 'localhost' || host.endsWith('.localhost')) throw new ERR_PUBLIC_URL_PRIVATE(host, 'a loopback name')
  let addresses: string[]
  try {
    addresses = isIP(host) !== 0 ? [host] : await lookupHost(host)
  } catch {
    return { addresses: [] }
  }
  for (const address of addresses) {
    const kind = restrictedAddressKind(address)
    if (kind !== undefined) throw new ERR_PUBLIC_URL_PRIVATE(host, address === host ? kind : `${kind} (${address})`)
  }
  return { addresses }
}
