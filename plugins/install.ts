import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Setting } from '../src/core/adapter.js'
import { safeEqual } from '../src/policy/secrets.js'
import { normalizeBody } from '../src/protocol/form-body.js'
import { registerBodyParsers } from '../src/fastify/body-parsers.js'
import { answerError } from '../src/fastify/error-answer.js'
import { ERR_CONFIG_INVALID, ERR_INSTALL_FAILED, ERR_INSTALL_FORBIDDEN, ERR_INSTALL_INVALID, isB24biError } from '../src/core/errors.js'
import { connectorFields, registerConnector, type ConnectorDefinition, type Registration as ConnectorRegistration } from '../src/bitrix/connector-registration.js'
import { httpCatalog, runtimeCatalog } from '../src/bitrix/connector-catalog.js'
import { ensureSource, getConnector } from '../src/bitrix/portal-sources.js'
import { syncTables } from '../src/bitrix/portal-tables.js'
import { tokenOwner, type OAuthApplication } from '../src/bitrix/oauth.js'
import { PortalPolicy, type PortalPolicyOptions } from '../src/bitrix/portal-policy.js'
import { RestClient, type RestClientOptions } from '../src/bitrix/rest-client.js'
import { RateLimiter, type RateLimit } from '../src/policy/rate-limiter.js'
import { MemoryWindowStore } from '../src/policy/window-store.js'
import { rateLimitHook } from '../src/fastify/rate-limit-hook.js'
import { MemoryTokenStore } from '../src/bitrix/token-store/memory-token-store.js'
import { loadSdkBundle, PageAssets, registerAssets } from './app-page/assets.js'
import { PAGE_ROUTE_CONFIG, framableBy, portalOrigin } from './app-page/frame.js'
import { bindLeftMenu, type PlacementOptions } from './app-page/placement.js'
import { appPageRoutes } from './app-page/routes.js'
import { CLIENT_ASSETS } from './app-page/client-assets.js'
import type { PortalTokens, TokenStore } from '../src/bitrix/token-store/token-store.js'

/** Options of `installPlugin`; defaults in the comments. */
export interface InstallPluginOptions {
  /** Where each portal's tokens are kept (share one store between replicas). */
  tokens: TokenStore
  /** The local application's client id and secret (and the OAuth server, for tests). */
  application: OAuthApplication
  /** What to register; `settings` default to the served adapter's (`fastify.b24bi.adapter.settings`). */
  connector: Omit<ConnectorDefinition, 'settings'> & { settings?: readonly Setting[] }
  /** The application's install handler and event handler paths. Default `/bitrix24/install` and `/bitrix24/events`. */
  paths?: { install?: string, events?: string }
  /** REST client tuning (retries, back-off, timeout). */
  rest?: Omit<RestClientOptions, 'auth'>
  /** Which portals are accepted (allow-list `B24BI_PORTALS`, private addresses, http for tests). Default: public hosts over https. */
  portals?: PortalPolicyOptions
  /** Events accepted per client address and window on the install and events routes; false turns it off. Default 30 per 60 s. */
  rateLimit?: RateLimit | false
  /**
   * Creates the portal's tables on install (`biconnector.table.*`, as `b24bi tables sync` does): finds or adds the
   * source titled `source.title` with `source.settings` (the portal checks the connection), then adds or updates a
   * portal table for each of the served adapter's tables (`only` limits them, `prefix` goes before new names).
   * A failure answers an error after the connector is registered (a reinstall retries). Default off.
   */
  syncTables?: { source: { title: string, settings: Readonly<Record<string, string>> }, prefix?: string, only?: readonly string[] }
  /** Where the application's pages and their assets live. Default `/bitrix24/app`. */
  pagePrefix?: string
  /** Install and application pages one client address may open per minute. Default 30. */
  pagesPerMinute?: number
  /**
   * The connector's page inside the portal (`POST <pagePrefix>`, bound to the `LEFT_MENU` placement at install).
   * `connection`: the settings values the page reads tables and runs the test with (kept on the server).
   * `false` turns the page and the placement off. Default on, without a connection.
   */
  page?: false | {
    connection?: Readonly<Record<string, string>>
    /** Longest page session, seconds. Default 1800. */
    sessionSeconds?: number
    /** Bind the `LEFT_MENU` placement at install. Default true. */
    leftMenu?: boolean
  }
}

/** The default limit of install and events requests per client address. */
export const INSTALL_RATE_DEFAULTS: Readonly<RateLimit> = Object.freeze({ max: 30, windowSeconds: 60 })

const MEMBER_ID = /^[A-Za-z0-9_-]{1,128}$/

function text (auth: Record<string, unknown>, key: string): string {
  const value = auth[key]
  if (typeof value !== 'string' || value === '') throw new ERR_INSTALL_INVALID(`auth[${key}] is missing`)
  return value
}

/**
 * Reads and checks the `auth` block of an `ONAPPINSTALL` event (the install page gives no application_token),
 * without any network call: the domain must pass the portal policy, `client_endpoint` be its REST endpoint.
 */
function installedTokens (auth: Record<string, unknown>, policy: PortalPolicy, fromPage = false): PortalTokens {
  const memberId = text(auth, 'member_id')
  const domain = text(auth, 'domain').toLowerCase()
  if (!MEMBER_ID.test(memberId)) throw new ERR_INSTALL_INVALID('auth[member_id] is malformed')
  const restEndpoint = policy.endpointFor(domain, auth.client_endpoint)
  const expiresIn = Number(auth.expires_in)
  return {
    memberId,
    domain,
    restEndpoint,
    accessToken: text(auth, 'access_token'),
    refreshToken: text(auth, 'refresh_token'),
    ...(fromPage ? {} : { applicationToken: text(auth, 'application_token') }),
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: Date.now() + expiresIn * 1000 } : {})
  }
}

function authOf (body: unknown): { event: string, auth: Record<string, unknown> } {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const auth = record.auth
  if (typeof auth !== 'object' || auth === null) throw new ERR_INSTALL_INVALID('auth is missing')
  if (record.event !== undefined && typeof record.event !== 'string') throw new ERR_INSTALL_INVALID('event is not a string')
  return { event: (record.event ?? '').toUpperCase(), auth: auth as Record<string, unknown> }
}

/**
 * The install page variant (an application with a UI): the portal opens the install URL with `AUTH_ID`,
 * `REFRESH_ID`, `member_id` in the body and `DOMAIN` in the query, as the vendor's CRest `installApp` reads them.
 */
function pageAuth (body: unknown, query: unknown): Record<string, unknown> | undefined {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  if (typeof form.AUTH_ID !== 'string' || form.event !== undefined) return undefined
  const domain = (typeof query === 'object' && query !== null ? (query as Record<string, unknown>).DOMAIN : undefined) ?? form.DOMAIN
  return { access_token: form.AUTH_ID, refresh_token: form.REFRESH_ID, member_id: form.member_id, domain, expires_in: form.AUTH_EXPIRES }
}

/** What the install page answers: the vendor's JS SDK (served by b24bi) finishes the installation. */
function installPage (assets: PageAssets, prefix: string): string {
  return '<!DOCTYPE html><html><head><meta charset="utf-8"><title>b24bi</title><link rel="icon" href="data:,">' +
    `<script src="${assets.url(prefix, 'b24jssdk.js')}"></script><script src="${assets.url(prefix, 'install.js')}" defer></script></head>` +
    '<body><p>The connector is registered.</p></body></html>'
}

type Registration = ConnectorRegistration & { tables?: Array<{ code: string, name: string, action: string }> }

/** The install-time table sync: the source found or added, then `syncTables` over the served adapter. */
async function installTables (
  client: RestClient, connectorId: number, sync: NonNullable<InstallPluginOptions['syncTables']>, fastify: FastifyInstance, log: FastifyRequest['log']
): Promise<Array<{ code: string, name: string, action: string }>> {
  const source = await ensureSource(client, connectorId, sync.source.title, sync.source.settings)
  const runtime = (fastify as Partial<Pick<FastifyInstance, 'b24bi'>>).b24bi
  const urls = runtime === undefined ? await getConnector(client, connectorId) : undefined
  const catalog = urls === undefined
    ? runtimeCatalog(runtime as NonNullable<typeof runtime>, sync.source.settings, log)
    : httpCatalog({ urlTableList: String(urls.urlTableList), urlTableDescription: String(urls.urlTableDescription), settings: sync.source.settings })
  const reports = await syncTables(client, source.id, catalog, { ...(sync.prefix === undefined ? {} : { prefix: sync.prefix }), ...(sync.only === undefined ? {} : { only: sync.only }) })
  for (const report of reports) {
    log.info({ sourceId: source.id, table: report.code, name: report.name, action: report.action, added: report.added, hidden: report.hidden }, 'portal table synced')
    for (const warning of report.warnings) log.warn({ sourceId: source.id, table: report.code }, warning)
  }
  return reports.map(({ code, name, action }) => ({ code, name, action }))
}

async function routes (fastify: FastifyInstance, options: InstallPluginOptions & { settings: () => readonly Setting[] }): Promise<void> {
  const { tokens: store, application } = options
  const policy = new PortalPolicy(options.portals)
  fastify.addHook('onClose', async () => await policy.close())
  // The install and events routes only: the page and its API (an admin's browser, many calls a minute) have their own limits.
  const limits = new MemoryWindowStore()
  const byAddress = (request: FastifyRequest): string => 'ip:' + request.ip
  const limit = options.rateLimit === false ? undefined : options.rateLimit ?? INSTALL_RATE_DEFAULTS
  const limitedByAddress = limit === undefined ? [] : [rateLimitHook(new RateLimiter({ name: 'install', limit, store: limits }), byAddress)]
  const prefix = options.pagePrefix ?? '/bitrix24/app'
  const assets = new PageAssets(await loadSdkBundle(), CLIENT_ASSETS)
  // Install pages and app page opens share one allowance per address.
  const pages = new RateLimiter({ name: 'pages', limit: { max: options.pagesPerMinute ?? 30, windowSeconds: 60 }, store: limits })
  const pageOpened = rateLimitHook(pages, byAddress)
  registerAssets(fastify, prefix, assets)
  const definition = (): ConnectorDefinition => ({ ...options.connector, settings: options.connector.settings ?? options.settings() })
  const page = options.page === false ? undefined : options.page ?? {}
  const leftMenu: PlacementOptions | undefined = page === undefined || page.leftMenu === false
    ? undefined
    : { handler: options.connector.publicUrl.replace(/\/+$/, '') + prefix, title: options.connector.title }

  registerBodyParsers(fastify)
  fastify.setErrorHandler(answerError)

  /** The vendor's OAuth server must confirm the event's token belongs to this application, portal id and domain. */
  async function verify (fresh: PortalTokens): Promise<void> {
    const owner = await tokenOwner(fresh.accessToken, { application, ...(options.rest?.fetch === undefined ? {} : { fetch: options.rest.fetch }), timeoutMs: options.rest?.timeoutMs })
    const mismatch = owner.clientId !== application.clientId ? 'client_id' : owner.memberId !== fresh.memberId ? 'member_id' : owner.domain !== fresh.domain ? 'domain' : undefined
    if (mismatch !== undefined) {
      throw new ERR_INSTALL_FORBIDDEN('the event could not be verified', { cause: new Error(`the OAuth server names another ${mismatch} for this access token`) })
    }
  }

  async function install (request: FastifyRequest, auth: Record<string, unknown>, fromPage = false): Promise<Registration> {
    const fresh = installedTokens(auth, policy, fromPage)
    // Nothing goes to the portal (nor is stored) before the OAuth server vouches for the event and the host is public.
    await verify(fresh)
    await policy.checkHost(fresh.domain)
    const known = await store.get(fresh.memberId)
    if (known !== undefined && known.domain !== fresh.domain) throw new ERR_INSTALL_FORBIDDEN('this portal id is installed on another domain')
    if (fresh.applicationToken === undefined && known?.applicationToken !== undefined) fresh.applicationToken = known.applicationToken
    // The tokens are proven by the registration call before they replace anything stored.
    const trial = new MemoryTokenStore([fresh])
    const client = new RestClient({ ...options.rest, fetch: policy.fetch, auth: { memberId: fresh.memberId, tokens: trial, application } })
    const registration: Registration = await registerConnector(client, definition())
    // The page's menu item; install succeeds without it (the log says how to enable it).
    const placement = leftMenu === undefined ? undefined : await bindLeftMenu(client, leftMenu, request.log)
    const used = await trial.get(fresh.memberId) ?? fresh
    await store.set({ ...used, connectorId: registration.id })
    request.log.info({ memberId: fresh.memberId, domain: fresh.domain, connectorId: registration.id, action: registration.action, placement: placement?.status }, 'application installed')
    if (options.syncTables !== undefined) {
      const synced = new RestClient({ ...options.rest, fetch: policy.fetch, auth: { memberId: fresh.memberId, tokens: store, application } })
      registration.tables = await installTables(synced, registration.id, options.syncTables, fastify, request.log)
    }
    return registration
  }

  async function uninstall (request: FastifyRequest, auth: Record<string, unknown>): Promise<void> {
    const memberId = text(auth, 'member_id')
    const applicationToken = text(auth, 'application_token')
    const known = await store.get(memberId)
    if (known === undefined) return
    if (known.applicationToken === undefined) throw new ERR_INSTALL_FORBIDDEN('no application_token is known for this portal (installed through the install page)')
    if (!safeEqual(applicationToken, known.applicationToken)) throw new ERR_INSTALL_FORBIDDEN('application_token does not match')
    await store.delete(memberId)
    request.log.info({ memberId, domain: known.domain }, 'application uninstalled: tokens forgotten')
  }

  const registered = async (request: FastifyRequest, auth: Record<string, unknown>, fromPage: boolean): Promise<Registration> => {
    try {
      return await install(request, auth, fromPage)
    } catch (error) {
      // The portal's own words (or an unreachable host's) go to the log only: the answer is a code and a fixed text.
      if (isB24biError(error) && error.statusCode < 500) throw error
      throw new ERR_INSTALL_FAILED({ cause: error })
    }
  }

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const body = normalizeBody(request.body)
    const page = pageAuth(body, request.query)
    if (page !== undefined) {
      await pageOpened(request)
      await registered(request, page, true)
      // The portal frames the install page: only its origin may (the domain was proven by the registration).
      framableBy(reply, portalOrigin(policy.endpointOf(String(page.domain).toLowerCase())))
      return await reply.type('text/html; charset=utf-8').send(installPage(assets, prefix))
    }
    const { event, auth } = authOf(body)
    if (event === 'ONAPPINSTALL') {
      const { id, action, tables } = await registered(request, auth, false)
      return { status: 'installed', connectorId: id, action, ...(tables === undefined ? {} : { tables }) }
    }
    if (event === 'ONAPPUNINSTALL') {
      await uninstall(request, auth)
      return { status: 'uninstalled' }
    }
    throw new ERR_INSTALL_INVALID(`the event '${event.slice(0, 40)}' is not handled`)
  }
  // The install page is opened by the admin's browser: no shared secret, no IP allow-list (see the guard).
  fastify.post(options.paths?.install ?? '/bitrix24/install', { config: PAGE_ROUTE_CONFIG, onRequest: limitedByAddress }, handler)
  fastify.post(options.paths?.events ?? '/bitrix24/events', { onRequest: limitedByAddress }, handler)
  // After the form parser and the error handler above: the page inherits both.
  if (page !== undefined) {
    await fastify.register(appPageRoutes, {
      pagePath: prefix,
      tokens: store,
      application,
      definition,
      assets,
      opens: pages,
      ...(options.rest === undefined ? {} : { rest: options.rest }),
      ...(page.connection === undefined ? {} : { connection: page.connection }),
      ...(page.sessionSeconds === undefined ? {} : { sessionSeconds: page.sessionSeconds }),
      ...(leftMenu === undefined ? {} : { placement: leftMenu })
    })
  }
}

const install: FastifyPluginAsync<InstallPluginOptions> = async (fastify, options) => {
  if (typeof options.tokens?.get !== 'function') throw new ERR_CONFIG_INVALID('install.tokens', 'a token store is required')
  if (!options.application?.clientId || !options.application.clientSecret) {
    throw new ERR_CONFIG_INVALID('install.application', 'clientId and clientSecret are required')
  }
  const settings = (): readonly Setting[] => {
    const declared = options.connector.settings ?? (fastify as Partial<Pick<FastifyInstance, 'b24bi'>>).b24bi?.adapter.settings
    if (declared === undefined) throw new ERR_CONFIG_INVALID('install.connector.settings', 'give settings or register the connector plugin first')
    return declared
  }
  connectorFields({ ...options.connector, settings: [] }) // fails at start-up on a bad title or public URL
  await fastify.register(routes, { ...options, settings })
}

/**
 * The Bitrix24 local application's handlers (register it only when the install flow is wanted; it is off unless
 * the composition root adds it). `ONAPPINSTALL`: checks the event, registers the connector with the new tokens
 * (updating a connector of the same title on reinstall) and stores the tokens per `member_id`. An application with
 * a UI gets the install page instead (`AUTH_ID`, `REFRESH_ID`, `member_id`, `?DOMAIN=`): the same registration,
 * answered with a page calling `BX24.installFinish()`; no `application_token` comes with it, so prefer a
 * "script only" local application (its uninstall event can then be verified).
 * `ONAPPUNINSTALL`: checked against the stored `application_token`, forgets the portal's tokens.
 *
 * @example
 * await fastify.register(installPlugin, {
 *   tokens: new FileTokenStore(),
 *   application: { clientId: process.env.B24_CLIENT_ID, clientSecret: process.env.B24_CLIENT_SECRET },
 *   connector: { title: 'Sales warehouse', publicUrl: 'https://bi.example.com' }
 * })
 */
export const installPlugin = fp(install, { fastify: '5.x', name: 'b24bi-install' })
export default installPlugin
