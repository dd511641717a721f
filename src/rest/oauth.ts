import { ERR_OAUTH_RENEW } from '../errors.js'
import type { PortalTokens } from '../token-store/token-store.js'
import { securePortalUrl } from './portal-url.js'

/** The vendor's OAuth server. */
export const DEFAULT_OAUTH_SERVER = 'https://oauth.bitrix.info/oauth/token/'

/** The application's credentials (from the local application's page in the portal). */
export interface OAuthApplication {
  /** `client_id` of the application. */
  clientId: string
  /** `client_secret` of the application. Never logged. */
  clientSecret: string
  /** The token endpoint. Default `https://oauth.bitrix.info/oauth/token/` (tests point it at a local fake). */
  server?: string
}

/** Options of `renewTokens`. */
export interface RenewOptions {
  application: OAuthApplication
  /** The fetch to use. Default the global one (undici). */
  fetch?: typeof fetch
  /** Milliseconds before giving up. Default 30000. */
  timeout?: number
}

/**
 * Trades `tokens.refreshToken` for a new pair at the OAuth server (`grant_type=refresh_token`) and returns
 * the renewed tokens (the domain and endpoint the server reports win). Throws `B24BI_ERR_OAUTH_RENEW`.
 */
export async function renewTokens (tokens: PortalTokens, options: RenewOptions): Promise<PortalTokens> {
  const url = securePortalUrl(options.application.server ?? DEFAULT_OAUTH_SERVER, 'OAuth server')
  url.search = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: options.application.clientId,
    client_secret: options.application.clientSecret,
    refresh_token: tokens.refreshToken
  }).toString()
  let status: number
  let body: Record<string, unknown>
  try {
    const response = await (options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(options.timeout ?? 30_000) })
    status = response.status
    body = await response.json() as Record<string, unknown>
  } catch (error) {
    throw new ERR_OAUTH_RENEW('the OAuth server did not answer with JSON', { cause: error })
  }
  if (typeof body.error === 'string') {
    throw new ERR_OAUTH_RENEW(`${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}`)
  }
  if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
    throw new ERR_OAUTH_RENEW(`HTTP ${status} without access_token and refresh_token`)
  }
  const expiresIn = Number(body.expires_in)
  return {
    ...tokens,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? Date.now() + expiresIn * 1000 : undefined,
    ...(typeof body.client_endpoint === 'string' && body.client_endpoint !== '' ? { restEndpoint: body.client_endpoint } : {}),
    ...(typeof body.domain === 'string' && body.domain !== '' && body.domain !== 'oauth.bitrix.info' ? { domain: body.domain } : {})
  }
}
