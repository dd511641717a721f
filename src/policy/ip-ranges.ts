import { BlockList, isIP } from 'node:net'
import { ERR_CONFIG_INVALID } from '../core/errors.js'

/** An address range: a network address, its prefix length and its family. */
export interface IpRange {
  address: string
  /** Prefix length: 0-32 for IPv4, 0-128 for IPv6; a single address has all of them. */
  bits: number
  family: 'ipv4' | 'ipv6'
}

/**
 * Reads a CIDR range (`10.0.0.0/8`, `2001:db8::/32`) or a single address; undefined for anything else, a prefix
 * length beyond the family's bits (`10.0.0.0/33`) or an empty one (`10.0.0.0/`) included. The one CIDR reader:
 * the guard's `allowIps`, the host guard's `allowHosts` and the configuration check all use it.
 *
 * @example
 * parseIpRange('10.1.0.0/16') // { address: '10.1.0.0', bits: 16, family: 'ipv4' }
 * parseIpRange('10.0.0.0/33') // undefined
 */
export function parseIpRange (text: string): IpRange | undefined {
  const slash = text.indexOf('/')
  const address = slash < 0 ? text : text.slice(0, slash)
  const family = isIP(address)
  if (family === 0) return undefined
  const max = family === 4 ? 32 : 128
  const prefix = slash < 0 ? String(max) : text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return undefined
  return { address, bits: Number(prefix), family: family === 4 ? 'ipv4' : 'ipv6' }
}

/** `::ffff:a.b.c.d` (how a dual-stack listener sees an IPv4 client) as `a.b.c.d`; any other text unchanged. */
export function unmappedAddress (address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  return mapped !== undefined && isIP(mapped) === 4 ? mapped : address
}

/**
 * A matcher over CIDR ranges or single addresses; an IPv4-mapped IPv6 address is matched as its IPv4 address.
 * A malformed range throws `B24BI_ERR_CONFIG_INVALID` naming `<option>.<index>`.
 *
 * @example
 * const allowed = ipRangeMatcher(['10.0.0.0/8', '2001:db8::/32'], 'allowIps')
 * allowed('::ffff:10.1.2.3') // true
 */
export function ipRangeMatcher (ranges: readonly string[], option: string): (address: string) => boolean {
  const list = new BlockList()
  for (const [index, text] of ranges.entries()) {
    const range = parseIpRange(text)
    if (range === undefined) throw new ERR_CONFIG_INVALID(`${option}.${index}`, `'${text}' is not an IP address or CIDR range`)
    list.addSubnet(range.address, range.bits, range.family)
  }
  return (address) => {
    const plain = unmappedAddress(address)
    const family = isIP(plain)
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4')
  }
}
