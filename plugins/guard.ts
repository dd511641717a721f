import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { PROBE_PATHS } from '../src/protocol/endpoints.js'
import { ERR_ACCESS_DENIED } from '../src/core/errors.js'
import { ipRangeMatcher } from '../src/policy/ip-ranges.js'
import { safeEqual } from '../src/policy/secrets.js'

/** Options of `guardPlugin`: defence in depth in front of the adapter's own authentication. */
export interface GuardPluginOptions {
  /**
   * When set, every request must carry it in the `x-b24bi-secret` header or the `secret` query parameter
   * (bake it into the URLs registered in Bitrix24: `https://host/api/data?secret=...`). Compared in constant time.
   * Default: none.
   */
  sharedSecret?: string
  /** Client address ranges allowed in (CIDR or single addresses); `request.ip`, so `trustProxy` aware. Default: [] (everyone). */
  allowIps?: readonly string[]
  /** Paths open to everyone (liveness and readiness probes). Default ['/health', '/ready']. */
  publicPaths?: readonly string[]
  /** Paths that need an allowed address but not the secret (the docs UI loads assets without it). Default ['/docs']. */
  networkOnlyPaths?: readonly string[]
}

function givenSecret (request: FastifyRequest): string | undefined {
  const header = request.headers['x-b24bi-secret']
  if (typeof header === 'string') return header
  const query = request.query as Record<string, unknown> | undefined
  return typeof query?.secret === 'string' ? query.secret : undefined
}

function startsWithAny (path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path === prefix || path.startsWith(prefix + '/'))
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A page opened by an administrator's browser inside the portal (install page, app page and its API): it
     * comes from anywhere, not from the portal's servers, so the guard lets it through; it authenticates itself.
     */
    b24biPage?: boolean
  }
}

const guard: FastifyPluginAsync<GuardPluginOptions> = async (fastify, options) => {
  const secret = options.sharedSecret
  const allowed = options.allowIps !== undefined && options.allowIps.length > 0 ? ipRangeMatcher(options.allowIps, 'allowIps') : undefined
  if (secret === undefined && allowed === undefined) return
  const publicPaths = options.publicPaths ?? PROBE_PATHS
  const networkOnly = options.networkOnlyPaths ?? ['/docs']
  fastify.addHook('onRequest', async (request) => {
    const path = request.url.split('?', 1)[0] ?? ''
    if (publicPaths.includes(path) || request.routeOptions.config?.b24biPage === true) return
    if (allowed !== undefined && !allowed(request.ip)) throw new ERR_ACCESS_DENIED('client address not allowed')
    if (secret === undefined || startsWithAny(path, networkOnly)) return
    const given = givenSecret(request)
    if (given === undefined || !safeEqual(given, secret)) throw new ERR_ACCESS_DENIED('missing or wrong shared secret')
  })
}

/**
 * Rejects requests from addresses outside `allowIps` and requests without the shared secret, with 403
 * `B24BI_ERR_ACCESS_DENIED`, before the body is read. Does nothing when neither is configured.
 *
 * @example
 * await fastify.register(guardPlugin, { sharedSecret: process.env.SECRET, allowIps: ['10.0.0.0/8'] })
 */
export const guardPlugin = fp(guard, { fastify: '5.x', name: 'b24bi-guard' })
export default guardPlugin
