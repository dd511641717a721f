import { ERR_CONFIG_INVALID, ERR_REST_INSECURE } from '../core/errors.js'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/** True for the loopback names plain http is allowed to (tests, a portal on the same machine). */
export function isLocalHost (hostname: string): boolean {
  return LOCAL_HOSTS.has(hostname.toLowerCase())
}

/**
 * Parses `url` and refuses plain http to a non-local host (tokens would travel in clear text).
 * Throws `B24BI_ERR_REST_INSECURE` or, for something that is not an http(s) URL, `B24BI_ERR_CONFIG_INVALID`.
 */
export function securePortalUrl (url: string, what = 'portal URL'): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (error) {
    throw new ERR_CONFIG_INVALID(what, 'not a URL', { cause: error })
  }
  if (parsed.protocol === 'http:' && !isLocalHost(parsed.hostname)) throw new ERR_REST_INSECURE(parsed.host)
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ERR_CONFIG_INVALID(what, 'use https://')
  return parsed
}

const WEBHOOK_PATH = /^(.*\/rest\/\d+\/[^/]+)\/?(?:[a-z0-9_.]+\.json)?$/i

/**
 * Normalises an incoming webhook URL (`https://<portal>/rest/<user>/<code>/`, a trailing method name is dropped)
 * to end in `/`, so a method name can be appended.
 */
export function webhookEndpoint (url: string): string {
  const parsed = securePortalUrl(url, 'webhook URL')
  const match = WEBHOOK_PATH.exec(parsed.pathname)
  if (match === null) throw new ERR_CONFIG_INVALID('webhook URL', 'expected https://<portal>/rest/<user id>/<code>/')
  return `${parsed.origin}${match[1] ?? ''}/`
}

const DOMAIN = /^(?=.{1,253}(:\d{1,5})?$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i

/** True when `domain` is a host name (optionally with a port), as the portal sends it in `auth[domain]`. */
export function isPortalDomain (domain: string): boolean {
  return DOMAIN.test(domain)
}

/** The REST endpoint of a portal domain: `https://<domain>/rest/` (`http` only for a local host). */
export function restEndpointOf (domain: string): string {
  const hostname = domain.replace(/:\d+$/, '')
  return `${isLocalHost(hostname) ? 'http' : 'https'}://${domain}/rest/`
}
