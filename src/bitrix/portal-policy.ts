import type { LookupAddress, LookupOptions } from 'node:dns'
import { isIP } from 'node:net'
import { Agent, fetch as undiciFetch } from 'undici'
import { ERR_CONFIG_INVALID, ERR_INSTALL_FORBIDDEN, ERR_INSTALL_INVALID } from '../core/errors.js'
import { HostGuard, type HostLookup } from '../policy/host-guard.js'
import { isLocalHost, isPortalDomain } from './portal-url.js'

/** Which portals the install flow talks to; defaults in the comments. */
export interface PortalPolicyOptions {
  /**
   * Portal domains accepted (`B24BI_PORTALS`): exact host names, or `*.example.com` for any name under it.
   * Default: none listed, every public host.
   */
  allow?: readonly string[]
  /**
   * Addresses, networks (CIDR) or names a portal may resolve to although they are loopback, private or
   * link-local (a portal inside the network, tests). Default: none (public addresses only).
   */
  allowHosts?: readonly string[]
  /** Tests only: a loopback portal's REST endpoint is `http://<domain>/rest/`. Default false (always https). */
  allowHttp?: boolean
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * The rules a portal named by an install event must pass before the connector calls it: on the allow-list
 * when there is one, REST endpoint exactly `https://<domain>/rest/`, and resolving only to public addresses
 * (checked again at connect time by `fetch`, so DNS rebinding gains nothing).
 */
export class PortalPolicy {
  readonly #allow: readonly string[]
  readonly #allowHttp: boolean
  readonly #guard: HostGuard
  readonly #agent: Agent

  constructor (options: PortalPolicyOptions = {}, lookupHost?: HostLookup) {
    this.#allow = (options.allow ?? []).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '')
    for (const entry of this.#allow) {
      if (!isPortalDomain(entry.replace(/^\*\./, ''))) throw new ERR_CONFIG_INVALID('portals', `'${entry}' is not a host name or *.domain`)
    }
    this.#allowHttp = options.allowHttp === true
    this.#guard = new HostGuard(options.allowHosts ?? [], lookupHost)
    const lookup = (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
      this.#guard.resolve(hostname).then((address) => {
        const family = isIP(address)
        if (lookupOptions.all === true) callback(null, [{ address, family }])
        else callback(null, address, family)
      }, (error: NodeJS.ErrnoException) => callback(error, ''))
    }
    this.#agent = new Agent({ connect: { lookup } })
  }

  /** The only REST endpoint accepted for `domain`. */
  endpointOf (domain: string): string {
    const hostname = domain.replace(/:\d+$/, '')
    return `${this.#allowHttp && isLocalHost(hostname) ? 'http' : 'https'}://${domain}/rest/`
  }

  /** Checks an event's domain and `client_endpoint` without any network call; answers the REST endpoint. */
  endpointFor (domain: string, clientEndpoint: unknown): string {
    if (!isPortalDomain(domain)) throw new ERR_INSTALL_INVALID('auth[domain] is not a host name')
    const endpoint = this.endpointOf(domain)
    if (clientEndpoint !== undefined && clientEndpoint !== '' && (typeof clientEndpoint !== 'string' || clientEndpoint.toLowerCase() !== endpoint)) {
      throw new ERR_INSTALL_INVALID(`auth[client_endpoint] must be ${endpoint}`)
    }
    if (this.#allow.length > 0 && !this.#allow.some((entry) => entry.startsWith('*.') ? domain.endsWith(entry.slice(1)) : domain === entry)) {
      throw new ERR_INSTALL_FORBIDDEN('the event could not be verified', { cause: new Error(`'${domain}' is not in the portal allow-list`) })
    }
    return endpoint
  }

  /** Refuses a domain that resolves to a loopback, private or link-local address not allowed. */
  async checkHost (domain: string): Promise<void> {
    try {
      await this.#guard.resolve(domain.replace(/:\d+$/, ''))
    } catch (error) {
      throw new ERR_INSTALL_FORBIDDEN('the event could not be verified', { cause: error })
    }
  }

  /** A fetch that connects only to addresses the host guard allows. */
  readonly fetch: typeof fetch = (async (input: string | URL, init?: RequestInit) =>
    await undiciFetch(input, { ...(init as object), dispatcher: this.#agent })) as unknown as typeof fetch

  /** Closes the connections. */
  async close (): Promise<void> {
    await this.#agent.close()
  }
}
