import { ERR_INSTALL_FORBIDDEN, ERR_OAUTH_RENEW } from '../core/errors.js'
import type { PortalTokens } from './token-store/token-store.js'
import { securePortalUrl } from './portal-url.js'
import { postForm } from './post-form.js'

/** The vendor's OAuth server. */
export const DEFAULT_OAUTH_SERVER = 'https://oauth.bitrix.info/oauth/token/'

/** The vendor's OAuth server REST endpoint (`app.info` there proves an access token and names its portal). */
export const DEFAULT_OAUTH_REST_SERVER = 'https://oauth.bitrix.info/rest/'

/** The application's credentials (from the local application's page in the portal). */
export interface OAuthApplication {
  /** `client_id` of the application. */
  clientId: string
  /** `client_secret` of the application. Never logged. */
  clientSecret: string
  /** The token endpoint. Default `https://oauth.bitrix.info/oauth/token/` (tests point it at a local fake). */
  server?: string
  /** The OAuth server's REST endpoint, where `app.info` proves install events. Default `https://oauth.bitrix.info/rest/`. */
  restServer?: string
}

/** Who an access token belongs to, as the vendor's OAuth server says. */
export interface TokenOwner {
  clientId: string
  memberId: string
  domain: string
}

/**
 * Asks the vendor's OAuth server (`app.info` under `application.restServer`) whom `accessToken` belongs to.
 * The answer is trusted, the event that carried the token is not. Throws `B24BI_ERR_INSTALL_FORBIDDEN`
 * with a fixed message (the reason goes into the cause, for the log).
 */
export async function tokenOwner (accessToken: string, options: RenewOptions): Promise<TokenOwner> {
  const refuse = (reason: string, cause?: unknown): never => {
    throw new ERR_INSTALL_FORBIDDEN('the event could not be verified', { cause: cause ?? new Error(reason) })
  }
  const url = securePortalUrl(options.application.restServer ?? DEFAULT_OAUTH_REST_SERVER, 'OAuth REST server')
  url.pathname = url.pathname.replace(/\/?$/, '/') + 'app.info'
  let body: Record<string, unknown> = {}
  try {
    const response = await postForm(url, new URLSearchParams({ auth: accessToken }).toString(), { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 30_000 })
    body = await response.json() as Record<string, unknown>
  } catch (error) {
    refuse('the OAuth server did not answer with JSON', error)
  }
  const result = body?.result as Record<string, unknown> | undefined
  if (typeof result !== 'object' || result === null) refuse(`app.info answered ${String(body?.error ?? 'no result')}`)
  const install = (typeof result!.install === 'object' && result!.install !== null ? result!.install : {}) as Record<string, unknown>
  const text = (value: unknown): string => typeof value === 'string' || typeof value === 'number' ? String(value) : ''
  const owner = {
    clientId: text(result!.client_id),
    memberId: text(install.member_id ?? result!.member_id),
    domain: text(install.domain ?? result!.domain).toLowerCase()
  }
  if (owner.clientId === '' || owner.memberId === '' || owner.domain === '') refuse('app.info did not name client_id, member_id and domain')
  return owner
}

/** Options of `renewTokens`. */
export interface RenewOptions {
  application: OAuthApplication
  /** The fetch to use. Default the global one (undici). */
  fetch?: typeof fetch
  /** Milliseconds before giving up. Default 30000. */
  timeoutMs?: number
}

/**
 * Trades `tokens.refreshToken` for a new pair at the OAuth server (`grant_type=refresh_token`) and returns
 * the renewed tokens (the domain and endpoint the server reports win). Throws `B24BI_ERR_OAUTH_RENEW`; when the
 * server answered with an error (e.g. `invalid_grant`: the refresh token was used already) the error carries it
 * as `oauthError` (see `oauthErrorOf`), and without it the answer was lost (the grant may or may not have happened).
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
    const response = await (options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) })
    status = response.status
    body = await response.json() as Record<string, unknown>
  } catch (error) {
    throw new ERR_OAUTH_RENEW('the OAuth server did not answer with JSON', { cause: error })
  }
  if (typeof body.error === 'string') {
    const error = new ERR_OAUTH_RENEW(`${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}`)
    throw Object.assign(error, { oauthError: body.error })
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

/** The OAuth server's error code a `B24BI_ERR_OAUTH_RENEW` carries (`invalid_grant`, ...), or undefined when no answer came. */
export function oauthErrorOf (error: unknown): string | undefined {
  const code = (error as { oauthError?: unknown } | null)?.oauthError
  return typeof code === 'string' ? code : undefined
}
