import { hostname } from 'node:os'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ActivityLog } from '../../src/bitrix/app-page/activity.js'
import { connectorDrift, shownUrl, type DriftItem } from '../../src/bitrix/app-page/drift.js'
import { RateLimiter } from '../../src/policy/rate-limiter.js'
import { rateLimitHook } from '../../src/fastify/rate-limit-hook.js'
import { PageSessions, type PageSession } from '../../src/bitrix/app-page/session.js'
import { verifyPageRequest } from '../../src/bitrix/app-page/verify.js'
import { ERR_ACCESS_DENIED, ERR_NOT_SUPPORTED, ERR_PAGE_SESSION, isB24biError, ERR_REST_CALL } from '../../src/core/errors.js'
import { isDatasetFieldName, suggestDatasetFieldName } from '../../src/core/field-types.js'
import { connectorFields, registerConnector, type ConnectorDefinition } from '../../src/bitrix/connector-registration.js'
import type { OAuthApplication } from '../../src/bitrix/oauth.js'
import { RestClient, type RestClientOptions } from '../../src/bitrix/rest-client.js'
import type { AdapterRuntime } from '../../src/runtime/runtime.js'
import type { TokenStore } from '../../src/bitrix/token-store/token-store.js'
import { probe } from '../../src/probe/probe-run.js'
import { runtimeCatalog } from '../../src/bitrix/connector-catalog.js'
import { listPortalTables, syncTables, type PortalTable } from '../../src/bitrix/portal-tables.js'
import type { PageAssets } from './assets.js'
import { PAGE_ROUTE_CONFIG, framableBy, portalOrigin } from './frame.js'
import { adminPage, deniedPage, nonAdminPage } from './html.js'
import { bindLeftMenu, type PlacementOptions } from './placement.js'
import { readPreview } from './preview.js'

/** Options of the application page (the install plugin registers it). */
export interface AppPageOptions {
  /** Where the page lives, e.g. `/bitrix24/app` (not `prefix`: fastify would prefix the routes with it). */
  pagePath: string
  tokens: TokenStore
  application: OAuthApplication
  /** What this server would register now (settings resolved). */
  definition: () => ConnectorDefinition
  assets: PageAssets
  /** Page opens (verification calls) per client address, the allowance the install page counts in too. */
  opens: RateLimiter
  rest?: Omit<RestClientOptions, 'auth'>
  /**
   * The connection settings the page reads tables, previews and runs the test with (the values a portal user
   * types into the connector's settings). They stay on the server. Without them those sections say so.
   */
  connection?: Readonly<Record<string, string>>
  /** Longest page session, seconds (never longer than the portal's AUTH_ID). Default 1800. */
  sessionSeconds?: number
  /** The `LEFT_MENU` item re-bound by Re-register. */
  placement?: PlacementOptions
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified page session of a page API call. */
    pageSession?: PageSession
  }
}

/** Page API calls per client address and window. */
const PAGE_API_LIMIT = Object.freeze({ max: 300, windowSeconds: 60 })
const PREVIEW_ROWS = 20
const MAX_PREVIEW_ROWS = 50
const MAX_TABLES = 200

function runtimeOf (fastify: FastifyInstance): AdapterRuntime | undefined {
  return (fastify as Partial<Pick<FastifyInstance, 'b24bi'>>).b24bi
}

function codeOf (error: unknown): string {
  return isB24biError(error) ? (error as { vendorCode?: string }).vendorCode ?? error.code : 'B24BI_ERR_ADAPTER_FAILED'
}

/** Registers `POST <prefix>` (the page) and `<prefix>/api/*` (its data, page session required, admins only). */
export async function appPageRoutes (fastify: FastifyInstance, options: AppPageOptions): Promise<void> {
  const { pagePath: prefix, tokens: store, application, assets } = options
  const sessions = new PageSessions(application.clientSecret)
  const byAddress = (request: FastifyRequest): string => 'ip:' + request.ip
  const opened = rateLimitHook(options.opens, byAddress)
  const apiCalled = rateLimitHook(new RateLimiter({ name: 'page-api', limit: PAGE_API_LIMIT }), byAddress)
  const activity = new ActivityLog(100)
  const stop = runtimeOf(fastify)?.onDataEnd((summary) => activity.add(summary))
  if (stop !== undefined) fastify.addHook('onClose', async () => stop())
  const client = (memberId: string): RestClient => new RestClient({ ...options.rest, auth: { memberId, tokens: store, application } })
  const title = (): string => options.definition().title

  fastify.post(prefix, { config: PAGE_ROUTE_CONFIG }, async (request, reply) => {
    await opened(request)
    const query = (request.query ?? {}) as Record<string, unknown>
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>
    const lang = String(query.LANG ?? '').toLowerCase() === 'ru' ? 'ru' : 'en'
    const verified = await verifyPageRequest(query, body, { tokens: store, clientId: application.clientId })
    if (!verified.ok) {
      request.log.warn({ memberId: verified.memberId, reason: verified.reason }, 'application page refused')
      // Shown inside the portal's frame when the portal is known; otherwise nobody may frame it.
      const known = verified.memberId === undefined ? undefined : await store.get(verified.memberId)
      if (known !== undefined) framableBy(reply, portalOrigin(known.restEndpoint))
      return await reply.code(403).type('text/html; charset=utf-8').send(deniedPage({ lang, prefix, assets, reason: verified.reason }))
    }
    const { page } = verified
    framableBy(reply, portalOrigin(page.tokens.restEndpoint))
    request.log.info({ memberId: page.memberId, admin: page.admin, placement: page.placement }, 'application page opened')
    if (!page.admin) return await reply.type('text/html; charset=utf-8').send(nonAdminPage({ lang: page.lang, title: title(), prefix, assets }))
    const expiresAt = Math.min(page.authExpiresAt, Date.now() + (options.sessionSeconds ?? 1800) * 1000)
    const session = sessions.issue({ memberId: page.memberId, admin: true, expiresAt })
    return await reply.type('text/html; charset=utf-8').send(adminPage({ lang: page.lang, title: title(), prefix, assets, session }))
  })

  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      void reply.header('cache-control', 'no-store')
      await apiCalled(request)
      const header = request.headers.authorization
      const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : ''
      const session = token === '' ? undefined : sessions.verify(token)
      if (session === undefined) throw new ERR_PAGE_SESSION()
      if (!session.admin) throw new ERR_ACCESS_DENIED('this page is for the administrators of the portal')
      request.pageSession = session
    })

    const memberOf = (request: FastifyRequest): string => request.pageSession!.memberId

    scope.get('/status', async (request) => {
      const memberId = memberOf(request)
      const rest = client(memberId)
      const definition = options.definition()
      const expected = connectorFields(definition)
      let registered: Record<string, unknown> | undefined
      let oauthError: string | undefined
      try {
        registered = await findConnector(rest, (await store.get(memberId))?.connectorId, definition.title)
      } catch (error) {
        oauthError = codeOf(error)
        request.log.warn({ memberId, code: oauthError }, 'app page: the portal did not answer the connector lookup')
      }
      const tokens = await store.get(memberId)
      const drift: DriftItem[] = registered === undefined ? [] : connectorDrift(registered, expected)
      const runtime = runtimeOf(fastify)
      return {
        connector: { title: definition.title, id: registered === undefined ? null : Number(registered.id), registered: registered !== undefined, drift },
        oauth: { ok: oauthError === undefined, expiresAt: tokens?.expiresAt ?? null, ...(oauthError === undefined ? {} : { error: oauthError }) },
        publicUrl: await reachable(definition.publicUrl),
        server: {
          host: hostname(),
          uptimeSeconds: Math.round(process.uptime()),
          adapter: runtime?.adapter.constructor.name ?? null,
          ...(runtime === undefined
            ? {}
            : {
                timeZone: runtime.options.timeZone.name,
                datetimeFormat: runtime.options.datetimeFormat,
                deadlineSeconds: runtime.options.deadlineSeconds,
                maxRows: runtime.options.maxRows
              }),
          connection: options.connection !== undefined
        }
      }
    })

    scope.post('/register', async (request) => {
      const memberId = memberOf(request)
      const rest = client(memberId)
      const registration = await registerConnector(rest, options.definition())
      const tokens = await store.get(memberId)
      if (tokens !== undefined) await store.set({ ...tokens, connectorId: registration.id })
      const placement = options.placement === undefined ? undefined : await bindLeftMenu(rest, options.placement, request.log)
      request.log.info({ memberId, connectorId: registration.id, action: registration.action }, 'app page: connector re-registered')
      return { id: registration.id, action: registration.action, placement: placement ?? null }
    })

    const reads = async (request: FastifyRequest): Promise<{ runtime: AdapterRuntime, context: Awaited<ReturnType<AdapterRuntime['authenticate']>> }> => {
      const runtime = runtimeOf(fastify)
      if (runtime === undefined || options.connection === undefined) throw new ERR_NOT_SUPPORTED('reading tables without the connection settings on the server')
      return { runtime, context: await runtime.authenticate(options.connection, request.log) }
    }

    scope.get('/tables', async (request) => {
      const { runtime, context } = await reads(request)
      const tables = (await runtime.tableList('', context)).slice(0, MAX_TABLES)
      const described = []
      for (const table of tables) {
        try {
          const fields = await runtime.describe(table.code, context)
          described.push({ ...table, fields: fields.length, invalid: fields.filter((field) => !isDatasetFieldName(field.code)).length })
        } catch (error) {
          described.push({ ...table, fields: null, invalid: 0, error: codeOf(error) })
        }
      }
      return { tables: described }
    })

    scope.get('/tables/:code', async (request) => {
      const { runtime, context } = await reads(request)
      const code = (request.params as { code: string }).code
      const fields = await runtime.describe(code, context)
      return {
        table: code,
        fields: fields.map((field) => ({
          code: field.code,
          name: field.name ?? field.code,
          type: field.type,
          ...(isDatasetFieldName(field.code) ? {} : { suggestion: suggestDatasetFieldName(field.code) })
        }))
      }
    })

    scope.get('/tables/:code/preview', async (request) => {
      const { runtime, context } = await reads(request)
      const code = (request.params as { code: string }).code
      const asked = Number((request.query as { limit?: string }).limit ?? PREVIEW_ROWS)
      const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_PREVIEW_ROWS) : PREVIEW_ROWS
      return { table: code, limit, ...(await readPreview(runtime, code, limit, context)) }
    })

    /** This connector's sources on the portal (settings stripped) and, when `biconnector.table.*` answers, their tables. */
    const portalSide = async (request: FastifyRequest): Promise<{ connectorId: number | null, sources: Array<Record<string, unknown> & { id: number, active: boolean }>, tables?: PortalTable[] }> => {
      const memberId = memberOf(request)
      const connectorId = (await store.get(memberId))?.connectorId
      if (connectorId === undefined) return { connectorId: null, sources: [] }
      const rest = client(memberId)
      const items = await rest.list<Record<string, unknown>>('biconnector.source.list', { filter: { connectorId } })
      // `settings` hold the connection values a portal user typed: never sent to the page.
      const sources = items
        .filter((item) => Number(item.connectorId ?? connectorId) === connectorId)
        .map((item) => ({
          id: Number(item.id),
          title: String(item.title ?? ''),
          description: String(item.description ?? ''),
          active: item.active === true || item.active === 'Y' || item.active === 'true',
          dateCreate: item.dateCreate ?? null,
          dateUpdate: item.dateUpdate ?? null
        }))
      let tables: PortalTable[] | undefined
      try {
        const ids = new Set(sources.map((source) => source.id))
        tables = (await listPortalTables(rest)).filter((table) => ids.has(table.sourceId))
      } catch (error) {
        request.log.info({ memberId, code: codeOf(error) }, 'app page: biconnector.table.* did not answer; the portal tables are not shown')
      }
      return { connectorId, sources, ...(tables === undefined ? {} : { tables }) }
    }

    /** The server's table codes no portal table of `sourceId` is built on (empty without the connection). */
    const missingTables = async (request: FastifyRequest, tables: readonly PortalTable[], sourceId: number | undefined): Promise<string[]> => {
      const runtime = runtimeOf(fastify)
      if (runtime === undefined || options.connection === undefined || sourceId === undefined) return []
      const have = new Set(tables.filter((table) => table.sourceId === sourceId).map((table) => table.externalCode))
      const context = await runtime.authenticate(options.connection, request.log)
      return (await runtime.tableList('', context)).map((table) => table.code).filter((code) => !have.has(code))
    }

    const targetSource = (sources: Array<{ id: number, active: boolean }>): number | undefined => (sources.find((source) => source.active) ?? sources[0])?.id

    scope.get('/sources', async (request) => {
      const side = await portalSide(request)
      if (side.tables === undefined) return side
      const sourceId = targetSource(side.sources)
      return {
        ...side,
        tables: side.tables.map(({ id, sourceId, name, externalCode, externalName }) => ({ id, sourceId, name, code: externalCode, title: externalName })),
        missing: await missingTables(request, side.tables, sourceId),
        ...(sourceId === undefined ? {} : { targetSourceId: sourceId })
      }
    })

    scope.post('/tables/create-missing', async (request) => {
      const side = await portalSide(request)
      const sourceId = targetSource(side.sources)
      const runtime = runtimeOf(fastify)
      if (side.tables === undefined) throw new ERR_NOT_SUPPORTED('creating portal tables (biconnector.table.* did not answer)')
      if (sourceId === undefined || runtime === undefined || options.connection === undefined) throw new ERR_NOT_SUPPORTED('creating portal tables without a source on this connector and the connection settings')
      const missing = await missingTables(request, side.tables, sourceId)
      const rest = client(memberOf(request))
      const reports = missing.length === 0 ? [] : await syncTables(rest, sourceId, runtimeCatalog(runtime, options.connection, request.log), { only: missing })
      request.log.info({ memberId: memberOf(request), sourceId, created: reports.map((report) => report.code) }, 'app page: missing portal tables created')
      return { sourceId, tables: reports.map(({ code, name, id, action, warnings }) => ({ code, name, id, action, warnings })) }
    })

    scope.get('/activity', async () => ({ host: hostname(), since: activity.startedAt, counts: activity.counts, entries: activity.list() }))

    // One probe at a time per server: a second click (or another admin) waits for the running one.
    let running: ReturnType<typeof probe> | undefined
    scope.post('/test', async (request) => {
      if (options.connection === undefined) throw new ERR_NOT_SUPPORTED('the test without the connection settings on the server')
      running ??= probe({ baseUrl: options.definition().publicUrl, settings: { ...options.connection }, previewLimit: 5, timeoutMs: 30_000 })
        .finally(() => { running = undefined })
      const report = await running
      request.log.info({ memberId: memberOf(request), ok: report.ok, errors: report.errors }, 'app page: connection test')
      return { ...report, baseUrl: shownUrl(report.baseUrl) }
    })
  }, { prefix: `${prefix}/api` })
}

async function findConnector (rest: RestClient, id: number | undefined, title: string): Promise<Record<string, unknown> | undefined> {
  if (id !== undefined) {
    try {
      const answer = await rest.call<{ item?: Record<string, unknown> } & Record<string, unknown>>('biconnector.connector.get', { id })
      const item = answer?.item ?? answer
      if (item !== undefined && item !== null && item.id !== undefined) return item
    } catch (error) {
      if (!(isB24biError(error) && error.code === ERR_REST_CALL.code)) throw error
    }
  }
  const listed = await rest.list<Record<string, unknown>>('biconnector.connector.list', { filter: { title } })
  return listed.find((item) => item.title === title)
}

async function reachable (publicUrl: string): Promise<{ url: string, ok: boolean, status: number | null, ms: number, error?: string }> {
  const url = publicUrl.replace(/\/+$/, '') + '/health'
  const started = performance.now()
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'manual' })
    await response.arrayBuffer()
    return { url: shownUrl(url), ok: response.status === 200, status: response.status, ms: Math.round(performance.now() - started) }
  } catch (error) {
    const name = (error as Error).name
    return { url: shownUrl(url), ok: false, status: null, ms: Math.round(performance.now() - started), error: name === 'TimeoutError' ? 'timeout' : 'unreachable' }
  }
}
