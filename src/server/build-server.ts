import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import compress from '@fastify/compress'
import helmet from '@fastify/helmet'
import underPressure from '@fastify/under-pressure'
import { PROBE_PATHS } from '../protocol/endpoints.js'
import { refuseOversizedBodies } from '../fastify/body-parsers.js'
import { answerError, answerNotFound } from '../fastify/error-answer.js'
import { ERR_OVERLOADED } from '../core/errors.js'
import { AdapterRuntime } from '../runtime/runtime.js'
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions, type UnderPressureOptions } from './server-options.js'
import { RateLimiter, type RateLimit } from '../policy/rate-limiter.js'
import { RedisWindowStore } from '../policy/redis-window-store.js'
import { MemoryWindowStore, type WindowStore } from '../policy/window-store.js'
import { rateLimitHook } from '../fastify/rate-limit-hook.js'
import { redactionOptions } from '../policy/log-redaction.js'
import { connectorPlugin } from '../../plugins/connector.js'
import { docsPlugin } from '../../plugins/docs.js'
import { guardPlugin } from '../../plugins/guard.js'
import { healthPlugin } from '../../plugins/health.js'
import { metricsPlugin } from '../../plugins/metrics.js'

/** Paths open to everyone: probes skip the guard, the rate limit and the pressure check, and log at debug. */
const PROBES = new Set(PROBE_PATHS)

export type { RateLimitOptions, ServerOptions, SharedStoreOptions, UnderPressureOptions } from './server-options.js'

function routeOf (request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched'
}

/** One line per request, written when the answer ends; never the raw URL (it may hold `?secret=`). */
class OneLinePerRequest extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const path = routeOf(request)
    const facts = { method: request.method, path, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }
    if (error !== null && error !== undefined) request.log.error({ ...facts, err: error }, 'request failed')
    else if (PROBES.has(path)) request.log.debug(facts, 'request')
    else request.log.info(facts, 'request')
  }
}

function fastifyOptions (options: ResolvedServerOptions): FastifyServerOptions & { https?: { cert: string | Buffer, key: string | Buffer } } {
  const logger = options.loggerInstance !== undefined
    ? undefined
    : options.logger === false
      ? false
      : {
          level: 'info',
          ...(typeof options.logger === 'object' ? options.logger : {}),
          ...redactionOptions()
        }
  return {
    ...(logger !== undefined ? { logger } : {}),
    ...(options.loggerInstance !== undefined ? { loggerInstance: options.loggerInstance } : {}),
    ...(options.tls !== undefined ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    logController: new OneLinePerRequest(),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: options.bodyLimit,
    requestTimeout: options.requestTimeoutSeconds * 1000,
    return503OnClosing: true
  }
}

async function registerPressure (fastify: FastifyInstance, options: Readonly<Required<UnderPressureOptions>>): Promise<void> {
  const retryAfter = options.retryAfterSeconds
  await fastify.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxEventLoopUtilization: options.maxEventLoopUtilization,
    maxHeapUsedBytes: options.maxHeapUsedBytes,
    maxRssBytes: options.maxRssBytes,
    retryAfter,
    // A rejected promise goes on to the route's error handler: the coded 503 body; Retry-After stays set.
    pressureHandler: async (request, reply, type, value) => {
      if (PROBES.has(request.url.split('?', 1)[0] ?? '')) return
      request.log.warn({ type, value }, 'under pressure: answering 503')
      void reply.header('retry-after', String(retryAfter))
      throw new ERR_OVERLOADED()
    }
  })
}

/** The request's rate-limit key: the credential hash of its `connection`, else its address. */
function rateLimitKey (runtime: AdapterRuntime, request: FastifyRequest): string {
  const connection = (request.body as { connection?: unknown } | undefined)?.connection
  if (typeof connection === 'object' && connection !== null) {
    try {
      return 'c:' + runtime.credentials(connection as Record<string, unknown>).key
    } catch {
      // A missing or malformed setting: the route answers 400 itself; count the caller by address meanwhile.
    }
  }
  return 'ip:' + request.ip
}

/**
 * The per-credential rate limit on every route added after it (the probes aside), after body parsing: the key
 * is the credential hash of `connection`.
 */
function registerRateLimit (fastify: FastifyInstance, runtime: AdapterRuntime, limit: RateLimit, store: WindowStore): void {
  const limited = rateLimitHook(new RateLimiter({ name: 'rate-limit', limit, store }), (request) => rateLimitKey(runtime, request))
  fastify.addHook('onRoute', (route) => {
    if (PROBES.has(route.url)) return
    route.preHandler = [...[route.preHandler ?? []].flat(), limited]
  })
}

/**
 * The connector server: one log line per request, redaction, security headers, compression, optional
 * guard (shared secret, IP allow-list), rate limit (counted in a Redis shared by replicas with `sharedStore`),
 * pressure check, metrics and docs, the connector routes and the probes. `fastify.b24bi` is the adapter runtime. The options are checked once (an unknown or
 * wrong one throws `B24BI_ERR_CONFIG_INVALID` naming it) and kept as a frozen copy.
 *
 * @example
 * const fastify = await buildServer({ adapter, rateLimit: { max: 300, windowSeconds: 60 } })
 * await fastify.listen({ port: 3000 })
 */
export async function buildServer (given: ServerOptions): Promise<FastifyInstance> {
  const options = resolveServerOptions(given)
  // One store for the rate limit and the refused authentications: Redis when replicas share their counts.
  const windowStore = options.sharedStore === undefined ? new MemoryWindowStore() : new RedisWindowStore(options.sharedStore)
  const runtime = new AdapterRuntime(options.adapter, options.runtime ?? {}, { windowStore })
  const fastify = Fastify(fastifyOptions(options)) as unknown as FastifyInstance
  // Coded answers for what fails outside the connector and install routes (guard, probes, metrics, unknown paths).
  fastify.setErrorHandler(answerError)
  fastify.setNotFoundHandler(answerNotFound)
  refuseOversizedBodies(fastify)
  // No Content-Security-Policy: every answer is JSON sent with nosniff, and helmet rebuilds the policy on every
  // request (a quarter of a small call's CPU in the benchmark).
  if (options.helmet !== false) await fastify.register(helmet, { global: true, contentSecurityPolicy: false })
  if (options.underPressure !== undefined && options.underPressure !== false) await registerPressure(fastify, options.underPressure)
  await fastify.register(guardPlugin, { sharedSecret: options.sharedSecret, allowIps: options.allowIps, publicPaths: PROBE_PATHS })
  if (options.rateLimit !== undefined && options.rateLimit !== false) registerRateLimit(fastify, runtime, options.rateLimit, windowStore)
  if (options.metrics !== false) {
    const instance = typeof options.metrics === 'object' ? options.metrics.instance : undefined
    await fastify.register(metricsPlugin, { adapter: options.adapter, ...(instance === undefined ? {} : { instance }) })
  }
  if (options.docs === true) await fastify.register(docsPlugin)
  await fastify.register(compress, { global: true, threshold: 1024 })
  await fastify.register(connectorPlugin, { adapter: runtime, paths: options.paths, bodyLimit: options.bodyLimit })
  await fastify.register(healthPlugin, {
    ready: async () => await runtime.ready(),
    readyCacheMs: options.readiness?.cacheMs,
    readyTimeoutMs: options.readiness?.timeoutMs
  })
  return fastify
}
