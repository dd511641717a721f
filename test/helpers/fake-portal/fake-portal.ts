import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import qs from 'qs'
import { phpFormEncode } from '../../../src/probe/php-form.js'
import { BiconnectorState, PortalError } from './biconnector-methods.js'
import { AppMethods } from './app-methods.js'
import { registerFramePage } from './frame-page.js'

/** Options of the fake portal. */
export interface FakePortalOptions {
  /** Access token lifetime, seconds. Default 3600. */
  tokenTtl?: number
}

/** One REST call the fake portal answered. */
export interface PortalCall {
  method: string
  via: 'webhook' | 'oauth'
  error?: string
}

const secret = (): string => randomBytes(12).toString('hex')

/**
 * A local stand-in for a Bitrix24 portal and the vendor's OAuth server, behaving like the newest REST docs:
 * OAuth tokens that expire and renew (refresh tokens are single use; a refresh invalidates the old access token too,
 * later calls with it answer `invalid_token`), `biconnector.*` errors inside `result` with HTTP 200
 * (`ACCESS_DENIED` for `biconnector.connector.*` and `.table.*` called by webhook, the validation codes of
 * connector.add, source.add and table.add), lists paged with `page` (50 a page, no `total`/`next`),
 * `connector.fields`, `source.update/get`, `table.*`, `QUERY_LIMIT_EXCEEDED` on demand (top level, HTTP 503),
 * the install and uninstall events, and the urlCheck call on source.add and source.update.
 */
export class FakePortal {
  readonly app: FastifyInstance
  readonly state = new BiconnectorState()
  readonly calls: PortalCall[] = []
  readonly memberId = `member_${secret()}`
  readonly clientId = 'local.fake.app'
  readonly clientSecret = secret()
  readonly webhookCode = secret()
  applicationToken = secret()
  /** app.info, user.admin, placement.* */
  readonly apps = new AppMethods(this.clientId)
  /** Refresh-token grants answered. */
  renewals = 0
  /** Refresh-token grants refused (`invalid_grant`: a refresh token used already or never issued). */
  refusedRenewals = 0
  /** `app.info` calls the OAuth server answered. */
  appInfoCalls = 0
  url = ''
  readonly #tokenTtl: number
  readonly #access = new Map<string, number>()
  readonly #refresh = new Set<string>()
  /** The access token issued with each refresh token: a refresh invalidates both, as Bitrix24 does. */
  readonly #issuedWith = new Map<string, string>()
  readonly #revoked = new Set<string>()
  #grantDelay: () => number = () => 0
  readonly #lostGrants: Array<'before' | 'after'> = []
  #failures: string[] = []
  readonly #refusals = new Map<string, PortalError>()

  private constructor (options: FakePortalOptions) {
    this.#tokenTtl = options.tokenTtl ?? 3600
    this.app = Fastify()
    this.app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, qs.parse(String(body), { depth: 10 }))
    })
    this.app.get('/oauth/token/', async (request, reply) => {
      await sleep(this.#grantDelay())
      const lost = this.#lostGrants.shift()
      if (lost === 'before') return this.#drop(reply)
      const answer = this.#grant(request.query as Record<string, string>, reply)
      return lost === 'after' ? this.#drop(reply) : answer
    })
    // The OAuth server's app.info: whom an access token belongs to (how an application verifies an event).
    this.app.post('/oauth/rest/app.info', async (request, reply) => {
      const auth = String((request.body as Record<string, unknown> | undefined)?.auth ?? '')
      this.appInfoCalls++
      const expiresAt = this.#access.get(auth)
      if (expiresAt === undefined || expiresAt <= Date.now()) return await reply.code(401).send({ error: 'invalid_token', error_description: 'The access token provided is invalid.' })
      return {
        result: {
          scope: 'biconnector',
          client_id: this.clientId,
          expires: Math.floor(expiresAt / 1000),
          install: { installed: true, version: 1, status: 'L', scope: 'biconnector', domain: this.domain, uri: `${this.url}/rest/`, client_endpoint: `${this.url}/rest/`, member_id: this.memberId, member_type: 'PORTAL' },
          user_id: 1
        },
        time: { start: Date.now() / 1000, duration: 0.001 }
      }
    })
    this.app.post('/rest/:method', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>
      const { auth, ...params } = body
      const method = (request.params as { method: string }).method.replace(/\.json$/, '')
      const expiresAt = this.#access.get(String(auth))
      if (this.#revoked.has(String(auth))) return this.#fail(reply, method, 'oauth', new PortalError('invalid_token', 'The access token provided is invalid.', 401))
      if (expiresAt === undefined) return this.#fail(reply, method, 'oauth', new PortalError('NO_AUTH_FOUND', 'Wrong authorization data', 401))
      if (expiresAt <= Date.now()) return this.#fail(reply, method, 'oauth', new PortalError('expired_token', 'The access token provided has expired.', 401))
      return await this.#answer(reply, method, 'oauth', params, String(auth))
    })
    this.app.post('/rest/:user/:code/:method', async (request, reply) => {
      const { code, method: raw } = request.params as { code: string, method: string }
      const method = raw.replace(/\.json$/, '')
      if (code !== this.webhookCode) return this.#fail(reply, method, 'webhook', new PortalError('NO_AUTH_FOUND', 'Wrong authorization data', 401))
      if ((method.startsWith('biconnector.connector.') && method !== 'biconnector.connector.fields') ||
        (method.startsWith('biconnector.table.') && method !== 'biconnector.table.fields')) {
        return this.#fail(reply, method, 'webhook', new PortalError('ACCESS_DENIED', 'Access denied.'))
      }
      return await this.#answer(reply, method, 'webhook', (request.body ?? {}) as Record<string, unknown>)
    })
    registerFramePage(this)
  }

  /** Starts a fake portal on a free local port. */
  static async start (options: FakePortalOptions = {}): Promise<FakePortal> {
    const portal = new FakePortal(options)
    await portal.app.listen({ host: '127.0.0.1', port: 0 })
    const address = portal.app.server.address()
    if (address === null || typeof address === 'string') throw new TypeError('no address')
    portal.url = `http://127.0.0.1:${address.port}`
    return portal
  }

  /** The portal's host as it sends it in `auth[domain]`. */
  get domain (): string { return this.url.replace(/^https?:\/\//, '') }
  /** The OAuth token endpoint (point `OAuthApplication.server` here). */
  get oauthServer (): string { return `${this.url}/oauth/token/` }
  /** The OAuth server's REST endpoint (point `OAuthApplication.restServer` here). */
  get oauthRestServer (): string { return `${this.url}/oauth/rest/` }
  /** An incoming webhook of user 1. */
  get webhookUrl (): string { return `${this.url}/rest/1/${this.webhookCode}/` }

  /** Mints a fresh token pair, as an install or a renewal does. */
  issueTokens (): { accessToken: string, refreshToken: string, expiresIn: number } {
    const accessToken = `at_${secret()}`
    const refreshToken = `rt_${secret()}`
    this.#access.set(accessToken, Date.now() + this.#tokenTtl * 1000)
    this.#refresh.add(refreshToken)
    this.#issuedWith.set(refreshToken, accessToken)
    return { accessToken, refreshToken, expiresIn: this.#tokenTtl }
  }

  /** Makes every access token issued so far expired (the next call answers `expired_token`). */
  expireTokens (): void {
    for (const token of this.#access.keys()) this.#access.set(token, 0)
  }

  /**
   * Every refresh-token request waits `ms` (a number, or a function drawing one per request, e.g. a random
   * 20-150 ms) before the grant is decided, so concurrent renewals overlap as they do over a network.
   */
  delayGrants (ms: number | (() => number)): void {
    this.#grantDelay = typeof ms === 'number' ? () => ms : ms
  }

  /**
   * The next refresh-token request loses its answer: the connection is dropped `before` the grant is decided
   * (nothing changes) or `after` it (the pair is rotated, but the client never learns the new one).
   */
  loseNextGrant (when: 'before' | 'after'): void {
    this.#lostGrants.push(when)
  }

  /** The next `count` REST calls answer `code` (default `QUERY_LIMIT_EXCEEDED`, HTTP 503). */
  failNext (count: number, code = 'QUERY_LIMIT_EXCEEDED'): void {
    this.#failures.push(...Array.from({ length: count }, () => code))
  }

  /**
   * The next call of `method` is refused with `vendorCode` the way the portal refuses it: inside `result`, HTTP 200
   * for `biconnector.*` (e.g. `ACCESS_DENIED` for a user without "Access to BI Builder").
   */
  refuseNext (method: string, vendorCode: string, description: string): void {
    this.#refusals.set(method, new PortalError(vendorCode, description))
  }

  /** Posts `ONAPPINSTALL` to `handlerUrl` like a portal installing the application; returns the answer. */
  async install (handlerUrl: string, overrides: Record<string, string> = {}): Promise<{ status: number, body: string }> {
    const { accessToken, refreshToken, expiresIn } = this.issueTokens()
    return await this.#event(handlerUrl, 'ONAPPINSTALL', {
      access_token: accessToken,
      expires: String(Math.floor(Date.now() / 1000) + expiresIn),
      expires_in: String(expiresIn),
      scope: 'biconnector',
      domain: this.domain,
      server_endpoint: `${this.url}/oauth/rest/`,
      status: 'L',
      client_endpoint: `${this.url}/rest/`,
      member_id: this.memberId,
      user_id: '1',
      refresh_token: refreshToken,
      application_token: this.applicationToken,
      ...overrides
    })
  }

  /** Opens the install page of an application with a UI: tokens in the form body, the domain in the query. */
  async openInstallPage (handlerUrl: string): Promise<{ status: number, body: string, contentType: string }> {
    const { accessToken, refreshToken, expiresIn } = this.issueTokens()
    const url = `${handlerUrl}?${new URLSearchParams({ DOMAIN: this.domain, PROTOCOL: '0', LANG: 'en', APP_SID: secret() })}`
    const body = phpFormEncode({
      AUTH_ID: accessToken, AUTH_EXPIRES: expiresIn, REFRESH_ID: refreshToken, member_id: this.memberId, status: 'L', PLACEMENT: 'DEFAULT', PLACEMENT_OPTIONS: '{}'
    })
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? '' }
  }

  /** Posts `ONAPPUNINSTALL` to `handlerUrl`. */
  async uninstall (handlerUrl: string, applicationToken = this.applicationToken): Promise<{ status: number, body: string }> {
    return await this.#event(handlerUrl, 'ONAPPUNINSTALL', {
      domain: this.domain, member_id: this.memberId, application_token: applicationToken
    }, { CLEAN: '0' })
  }

  /** Stops the server. */
  async close (): Promise<void> {
    await this.app.close()
  }

  async #event (url: string, event: string, auth: Record<string, string>, data: Record<string, string> = {}): Promise<{ status: number, body: string }> {
    const body = phpFormEncode({ event, data: { VERSION: '1', LANGUAGE_ID: 'en', ...data }, ts: String(Math.floor(Date.now() / 1000)), auth })
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    return { status: response.status, body: await response.text() }
  }

  #grant (query: Record<string, string>, reply: FastifyReply): unknown {
    if (query.grant_type !== 'refresh_token' || query.client_id !== this.clientId || query.client_secret !== this.clientSecret) {
      return reply.code(401).send({ error: 'invalid_client', error_description: 'Invalid client.' })
    }
    if (query.refresh_token === undefined || !this.#refresh.delete(query.refresh_token)) {
      this.refusedRenewals++
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'Invalid refresh token.' })
    }
    this.renewals++
    // Refresh tokens are single use, and the access token issued with this one stops working too.
    const previous = this.#issuedWith.get(query.refresh_token)
    this.#issuedWith.delete(query.refresh_token)
    if (previous !== undefined) {
      this.#access.delete(previous)
      this.#revoked.add(previous)
    }
    const { accessToken, refreshToken, expiresIn } = this.issueTokens()
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: expiresIn,
      expires: Math.floor(Date.now() / 1000) + expiresIn,
      scope: 'biconnector',
      domain: 'oauth.bitrix.info',
      server_endpoint: `${this.url}/oauth/rest/`,
      status: 'L',
      client_endpoint: `${this.url}/rest/`,
      member_id: this.memberId,
      user_id: 1
    }
  }

  async #answer (reply: FastifyReply, method: string, via: 'webhook' | 'oauth', params: Record<string, unknown>, token = ''): Promise<unknown> {
    const failure = this.#failures.shift()
    if (failure !== undefined) {
      return this.#fail(reply, method, via, new PortalError(failure, failure === 'QUERY_LIMIT_EXCEEDED' ? 'Too many requests' : 'Injected failure', failure === 'QUERY_LIMIT_EXCEEDED' ? 503 : 500))
    }
    const refusal = this.#refusals.get(method)
    if (refusal !== undefined) {
      this.#refusals.delete(method)
      return this.#fail(reply, method, via, refusal)
    }
    try {
      const answer = this.apps.call(method, params, token) ?? await this.state.call(method, params)
      this.calls.push({ method, via })
      return { ...answer, time: { start: Date.now() / 1000, duration: 0.001 } }
    } catch (error) {
      if (error instanceof PortalError) return this.#fail(reply, method, via, error)
      throw error
    }
  }

  /** Drops the connection without an answer (a lost answer, as a timeout or a crash between grant and store). */
  #drop (reply: FastifyReply): FastifyReply {
    reply.hijack()
    reply.raw.socket?.destroy()
    return reply
  }

  #fail (reply: FastifyReply, method: string, via: 'webhook' | 'oauth', error: PortalError): unknown {
    this.calls.push({ method, via, error: error.vendorCode })
    const body = { error: error.vendorCode, error_description: error.description }
    // biconnector.* answer their own errors inside result, with HTTP 200; system errors stay at the top level.
    if (method.startsWith('biconnector.') && !error.topLevel) return reply.code(200).send({ result: { error: body }, time: { start: Date.now() / 1000, duration: 0.001 } })
    return reply.code(error.status).send(body)
  }
}
