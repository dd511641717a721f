import { setTimeout as sleep } from 'node:timers/promises'
import { ERR_OAUTH_RENEW, ERR_REST_FAILED, ERR_TOKENS_NOT_FOUND } from '../core/errors.js'
import { retryDelayMs, type BackoffPolicy } from '../util/retry-delay.js'
import { replaceTokens, sameTokenRecord, withTokenLock, type PortalTokens, type TokenStore } from './token-store/token-store.js'
import { oauthErrorOf, renewTokens, type OAuthApplication } from './oauth.js'
import { securePortalUrl, webhookEndpoint } from './portal-url.js'
import { EXPIRED_TOKEN_CODES, RETRYABLE_CODES, errorInsideResult, isRestCallError, restCallError } from './rest-errors.js'

/** Call through an incoming webhook: `https://<portal>/rest/<user>/<code>/`. Connector methods refuse this. */
export interface WebhookAuth {
  webhook: string
}

/** Call as the application with the OAuth tokens stored for one portal; expired tokens are renewed and stored. */
export interface OAuthAuth {
  memberId: string
  tokens: TokenStore
  application: OAuthApplication
}

/** Options of `RestClient`; defaults in the comments. */
export interface RestClientOptions {
  auth: WebhookAuth | OAuthAuth
  /** Calls repeated after `QUERY_LIMIT_EXCEEDED`. Default 5. */
  retries?: number
  /** The first back-off in milliseconds, doubled on each retry (see `retryDelayMs`), capped at 10 s. Default 500. */
  retryDelayMs?: number
  /** Milliseconds one HTTP call may take. Default 30000. */
  timeoutMs?: number
  /** The fetch to use. Default the global one (undici). */
  fetch?: typeof fetch
}

/** A successful answer: `result`, and for the older list methods `total` and `next`. */
export interface RestAnswer<T> {
  result: T
  total?: number
  next?: number
}

const MAX_DELAY_MS = 10_000

/** Items a page of a `biconnector.*` list method holds (fixed by the portal). */
export const LIST_PAGE_SIZE = 50

/**
 * A small Bitrix24 REST client on fetch: `POST <endpoint><method>` with a JSON body (`auth` added for OAuth).
 * Errors are `B24BI_ERR_REST_CALL` (vendor code in `vendorCode`) or `B24BI_ERR_REST_FAILED` (transport). The
 * `biconnector.*` methods answer their errors inside `result` with HTTP 200
 * (`{"result":{"error":{"error":"VALIDATION_...","error_description":"..."}}}`): those are errors here too.
 *
 * @example
 * const client = new RestClient({ auth: { memberId, tokens: new FileTokenStore(), application: { clientId, clientSecret } } })
 * const { id } = await client.call<{ id: number }>('biconnector.connector.add', { fields })
 */
export class RestClient {
  readonly #auth: WebhookAuth | OAuthAuth
  readonly #retries: number
  readonly #backoff: BackoffPolicy
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch
  readonly #webhook: string | undefined
  #renewing: Promise<PortalTokens> | undefined

  constructor (options: RestClientOptions) {
    this.#auth = options.auth
    this.#retries = options.retries ?? 5
    this.#backoff = { baseMs: options.retryDelayMs ?? 500, maxMs: MAX_DELAY_MS }
    this.#timeoutMs = options.timeoutMs ?? 30_000
    this.#fetch = options.fetch ?? fetch
    this.#webhook = 'webhook' in options.auth ? webhookEndpoint(options.auth.webhook) : undefined
  }

  /** Calls `method` and returns its `result`. */
  async call<T = unknown> (method: string, params: Record<string, unknown> = {}): Promise<T> {
    return (await this.answer<T>(method, params)).result
  }

  /**
   * Calls a list method and reads every page. The `biconnector.*` lists page with `page` (from 1, a fixed
   * `LIST_PAGE_SIZE` items a page, no `total`, no `next`): pages are read until one is shorter than that.
   * An answer carrying `next` (the portal's general list methods) is followed with `start` instead.
   * A page repeating the one before (a portal ignoring `page`) is a `B24BI_ERR_REST_FAILED` error, never a loop.
   */
  async list<T = unknown> (method: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const items: T[] = []
    let previous: string | undefined
    for (let page = 1, start: number | undefined; ; page++) {
      const answer = await this.answer<T[] | Record<string, T>>(method, start === undefined ? { ...params, page } : { ...params, start })
      const got = Array.isArray(answer.result) ? answer.result : Object.values(answer.result ?? {})
      if (answer.next !== undefined) {
        items.push(...got)
        start = answer.next
        continue
      }
      if (start !== undefined) return [...items, ...got]
      const fingerprint = got.length === 0 ? '' : JSON.stringify(got[0]) + JSON.stringify(got[got.length - 1])
      if (page > 1 && got.length > 0 && fingerprint === previous) throw new ERR_REST_FAILED(method, `page ${page} repeats page ${page - 1} (the portal ignores "page")`)
      previous = fingerprint
      items.push(...got)
      if (got.length < LIST_PAGE_SIZE) return items
    }
  }

  /** Calls `method` and returns the whole successful answer; renews the token once and backs off on limits. */
  async answer<T> (method: string, params: Record<string, unknown> = {}): Promise<RestAnswer<T>> {
    let renewed = false
    for (let attempt = 0; ; attempt++) {
      const request = await this.#request(method, params)
      try {
        return await this.#send<T>(method, request)
      } catch (error) {
        if (!renewed && request.tokens !== undefined && isRestCallError(error, ...EXPIRED_TOKEN_CODES)) {
          renewed = true
          await this.#renew(this.#auth as OAuthAuth, request.tokens)
          continue
        }
        if (attempt < this.#retries && isRestCallError(error, ...RETRYABLE_CODES)) {
          await sleep(retryDelayMs(attempt, this.#backoff))
          continue
        }
        throw error
      }
    }
  }

  async #send<T> (method: string, request: { url: string, body: Record<string, unknown> }): Promise<RestAnswer<T>> {
    const { url, body } = request
    let status: number
    let text: string
    try {
      const response = await this.#fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs)
      })
      status = response.status
      text = await response.text()
    } catch (error) {
      throw new ERR_REST_FAILED(method, (error as Error).name === 'TimeoutError' ? 'no answer in time' : 'the portal is unreachable', { cause: error })
    }
    let answer: Record<string, unknown>
    try {
      answer = JSON.parse(text) as Record<string, unknown>
    } catch (error) {
      throw new ERR_REST_FAILED(method, `HTTP ${status} without a JSON body`, { cause: error })
    }
    if (typeof answer?.error === 'string') {
      throw restCallError(method, answer.error, typeof answer.error_description === 'string' ? answer.error_description : '', status)
    }
    if (status !== 200 || !('result' in answer)) throw new ERR_REST_FAILED(method, `HTTP ${status} without a result`)
    const inside = errorInsideResult(answer.result)
    if (inside !== undefined) throw restCallError(method, inside.code, inside.description, status)
    return {
      result: answer.result as T,
      ...(typeof answer.total === 'number' ? { total: answer.total } : {}),
      ...(typeof answer.next === 'number' ? { next: answer.next } : {})
    }
  }

  /** The URL and body of one call; with OAuth, also the tokens it uses (renewed first when known to be expired). */
  async #request (method: string, params: Record<string, unknown>): Promise<{ url: string, body: Record<string, unknown>, tokens?: PortalTokens }> {
    if (!/^[a-z0-9_.]+$/i.test(method)) throw new ERR_REST_FAILED(method, 'not a method name')
    if (this.#webhook !== undefined) return { url: this.#webhook + method, body: params }
    const auth = this.#auth as OAuthAuth
    let tokens = await this.#tokens(auth)
    if (tokens.expiresAt !== undefined && tokens.expiresAt <= Date.now()) tokens = await this.#renew(auth, tokens)
    const endpoint = securePortalUrl(tokens.restEndpoint, 'REST endpoint').href
    return { url: endpoint.replace(/\/?$/, '/') + method, body: { ...params, auth: tokens.accessToken }, tokens }
  }

  async #tokens (auth: OAuthAuth): Promise<PortalTokens> {
    const tokens = await auth.tokens.get(auth.memberId)
    if (tokens === undefined) throw new ERR_TOKENS_NOT_FOUND(auth.memberId)
    return tokens
  }

  /**
   * One refresh per expiry across replicas. `used` is the record the failed (or expired) call read: if the store
   * holds another access token now, someone renewed already and that pair is used. Otherwise, under the store's
   * lock (one renewal at a time per client as well), the store is read again and only then refreshed.
   */
  async #renew (auth: OAuthAuth, used: PortalTokens): Promise<PortalTokens> {
    const stored = await this.#tokens(auth)
    if (stored.accessToken !== used.accessToken) return stored
    this.#renewing ??= withTokenLock(auth.tokens, auth.memberId, async () => await this.#renewLocked(auth, used))
      .finally(() => { this.#renewing = undefined })
    return await this.#renewing
  }

  /**
   * Under the lock: refresh once and compare-and-set the new pair, so a reinstall or an uninstall made meanwhile
   * is never overwritten (the stored record wins). A failed refresh re-reads the store before declaring the pair
   * dead; a lost answer (no answer at all: the grant may not have happened) is tried once more.
   */
  async #renewLocked (auth: OAuthAuth, used: PortalTokens): Promise<PortalTokens> {
    const current = await this.#tokens(auth)
    if (current.accessToken !== used.accessToken) return current
    let fresh: PortalTokens
    try {
      fresh = await this.#refresh(auth, current)
    } catch (error) {
      const after = await this.#tokens(auth)
      if (!sameTokenRecord(after, current)) return after
      if (oauthErrorOf(error) !== undefined) throw deadPair(error)
      try {
        fresh = await this.#refresh(auth, current)
      } catch (again) {
        const last = await this.#tokens(auth)
        if (!sameTokenRecord(last, current)) return last
        throw deadPair(again)
      }
    }
    if (await replaceTokens(auth.tokens, current, fresh)) return fresh
    return await this.#tokens(auth)
  }

  async #refresh (auth: OAuthAuth, tokens: PortalTokens): Promise<PortalTokens> {
    return await renewTokens(tokens, { application: auth.application, fetch: this.#fetch, timeoutMs: this.#timeoutMs })
  }
}

/** A refused refresh token (`invalid_grant`) ends the chain: only a reinstall of the application gives a new one. */
function deadPair (error: unknown): unknown {
  if (oauthErrorOf(error) !== 'invalid_grant') return error
  return new ERR_OAUTH_RENEW('the stored refresh token was refused (invalid_grant): reinstall the application on the portal', { cause: error })
}
