import { safeEqual } from '../../policy/secrets.js'
import { securePortalUrl } from '../portal-url.js'
import type { PortalTokens, TokenStore } from '../token-store/token-store.js'

/** Why an application page request was refused: a fixed code, shown on the 403 page and logged with member_id. */
export type PageDenyReason =
  | 'malformed' // member_id, AUTH_ID or DOMAIN missing or not well-formed
  | 'unknown-portal' // no install is stored for member_id
  | 'domain-mismatch' // DOMAIN is not the domain the install stored
  | 'application-token-mismatch' // APPLICATION_TOKEN sent and not the stored one
  | 'auth-rejected' // the portal refused AUTH_ID (app.info failed)
  | 'wrong-application' // AUTH_ID belongs to another application
  | 'not-installed' // app.info says the application is not installed
  | 'portal-unreachable' // the stored REST endpoint did not answer

/** A verified page request: the portal, whether the user manages the application, the page's language. */
export interface VerifiedPage {
  memberId: string
  admin: boolean
  tokens: PortalTokens
  /** When AUTH_ID expires, epoch milliseconds (a page session never outlives it). */
  authExpiresAt: number
  lang: 'en' | 'ru'
  placement: string
}

/** What `verifyPageRequest` needs. */
export interface VerifyOptions {
  tokens: TokenStore
  /** The application's client id: `app.info` must answer this `CODE`. */
  clientId: string
  fetch?: typeof fetch
  /** Milliseconds per REST call. Default 10000. */
  timeoutMs?: number
}

const MEMBER_ID = /^[A-Za-z0-9_-]{1,128}$/
const DEFAULT_AUTH_SECONDS = 3600

function field (record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}

class Refused extends Error {
  constructor (readonly reason: PageDenyReason) {
    super(reason)
  }
}

async function call (endpoint: string, method: string, auth: string, options: VerifyOptions): Promise<unknown> {
  let answer: Record<string, unknown>
  try {
    const response = await (options.fetch ?? fetch)(endpoint.replace(/\/?$/, '/') + method, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ auth }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
    })
    answer = await response.json() as Record<string, unknown>
  } catch {
    throw new Refused('portal-unreachable')
  }
  if (typeof answer !== 'object' || answer === null || answer.error !== undefined || !('result' in answer)) throw new Refused('auth-rejected')
  return answer.result
}

/**
 * Verifies what the portal's frame POSTs to an application page (`DOMAIN`, `LANG` in the query; `AUTH_ID`,
 * `AUTH_EXPIRES`, `member_id`, optional `APPLICATION_TOKEN`, `PLACEMENT` in the body):
 * `member_id` must be installed and `DOMAIN` be its stored domain; `AUTH_ID` is proven by `app.info` (this
 * application, installed) and `user.admin` on the **stored** REST endpoint, never on the domain of the request.
 * `AUTH_ID` is used for nothing else.
 */
export async function verifyPageRequest (
  query: Record<string, unknown>,
  body: Record<string, unknown>,
  options: VerifyOptions
): Promise<{ ok: true, page: VerifiedPage } | { ok: false, reason: PageDenyReason, memberId?: string }> {
  const memberId = field(body, 'member_id')
  try {
    const auth = field(body, 'AUTH_ID')
    const domain = (field(query, 'DOMAIN') ?? field(body, 'DOMAIN'))?.toLowerCase()
    if (memberId === undefined || !MEMBER_ID.test(memberId) || auth === undefined || auth.length > 512 || domain === undefined) throw new Refused('malformed')
    const tokens = await options.tokens.get(memberId)
    if (tokens === undefined) throw new Refused('unknown-portal')
    if (tokens.domain.toLowerCase() !== domain) throw new Refused('domain-mismatch')
    const applicationToken = field(body, 'APPLICATION_TOKEN')
    if (applicationToken !== undefined && tokens.applicationToken !== undefined && !safeEqual(applicationToken, tokens.applicationToken)) {
      throw new Refused('application-token-mismatch')
    }
    const endpoint = securePortalUrl(tokens.restEndpoint, 'REST endpoint').href
    const app = await call(endpoint, 'app.info', auth, options) as Record<string, unknown> | null
    if (typeof app !== 'object' || app === null || String(app.CODE ?? '') !== options.clientId) throw new Refused('wrong-application')
    if (app.INSTALLED !== true && app.INSTALLED !== 'Y') throw new Refused('not-installed')
    const admin = await call(endpoint, 'user.admin', auth, options)
    const seconds = Number(body.AUTH_EXPIRES)
    const lang = String(query.LANG ?? body.LANG ?? 'en').toLowerCase() === 'ru' ? 'ru' : 'en'
    return {
      ok: true,
      page: {
        memberId,
        admin: admin === true || admin === 'true',
        tokens,
        authExpiresAt: Date.now() + (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, DEFAULT_AUTH_SECONDS) : DEFAULT_AUTH_SECONDS) * 1000,
        lang,
        placement: field(body, 'PLACEMENT') ?? 'DEFAULT'
      }
    }
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.reason, ...(memberId !== undefined && MEMBER_ID.test(memberId) ? { memberId } : {}) }
    throw error
  }
}
