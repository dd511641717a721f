import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'

/** Options of `healthPlugin`. */
export interface HealthPluginOptions {
  /** Resolves true when the source can be reached (usually `runtime.ready()`). Default: always true. */
  ready?: () => Promise<boolean>
  /** Seconds in the Retry-After of a 503 from `/ready`. Default 5. */
  retryAfterSeconds?: number
  /** Milliseconds one readiness answer is reused, so a balancer's probes never queue on the source. Default 2000. */
  readyCacheMs?: number
  /** Milliseconds the source may take to answer a readiness check before the replica counts as not ready. Default 3000. */
  readyTimeoutMs?: number
}

/** The readiness state `buildServer` and `b24bi serve` drive: `drain()` makes `/ready` fail before the listener closes. */
export interface Readiness {
  /** True once `drain()` was called: `/ready` answers 503 `draining`. */
  readonly draining: boolean
  /** Starts the drain (idempotent): the balancer stops sending new calls, answers in flight go on. */
  drain: () => void
}

declare module 'fastify' {
  interface FastifyInstance {
    /** `/ready`'s state; see `healthPlugin`. */
    readiness: Readiness
  }
}

const Status = Type.Object({ status: Type.String() })
const DEFAULT_READY_CACHE_MS = 2000 // milliseconds
const DEFAULT_READY_TIMEOUT_MS = 3000 // milliseconds

/** One readiness check at a time, its answer reused for `cacheMs`; a check slower than `timeoutMs` counts as not ready. */
function cachedCheck (check: () => Promise<boolean>, cacheMs: number, timeoutMs: number): () => Promise<boolean> {
  let last: { at: number, answer: Promise<boolean> } | undefined
  const run = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
    try {
      return await Promise.race([check().catch(() => false), late])
    } finally {
      clearTimeout(timer)
    }
  }
  return async () => {
    const now = Date.now()
    if (last === undefined || now - last.at >= cacheMs) last = { at: now, answer: run() }
    return await last.answer
  }
}

const health: FastifyPluginAsync<HealthPluginOptions> = async (fastify, options) => {
  const ready = cachedCheck(options.ready ?? (async () => true), options.readyCacheMs ?? DEFAULT_READY_CACHE_MS,
    options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS)
  const retryAfter = String(options.retryAfterSeconds ?? 5)
  let draining = false
  fastify.decorate('readiness', {
    get draining () { return draining },
    drain: () => { draining = true }
  })
  fastify.get('/health', {
    schema: { summary: 'Liveness: the process is up', tags: ['operations'], response: { 200: Status } }
  }, async () => ({ status: 'ok' }))
  fastify.get('/ready', {
    schema: {
      summary: 'Readiness: the adapter can reach its source and the server is not draining',
      tags: ['operations'],
      response: { 200: Status, 503: Status }
    }
  }, async (_request, reply) => {
    if (draining) return await reply.code(503).header('retry-after', retryAfter).send({ status: 'draining' })
    if (await ready()) return { status: 'ok' }
    return await reply.code(503).header('retry-after', retryAfter).send({ status: 'unavailable' })
  })
}

/**
 * `GET /health` (the process is up: liveness, never touches the source) and `GET /ready` (the source answers through
 * the adapter's own probe, cached for `readyCacheMs`, and the server is not draining: readiness, 503 otherwise).
 * Decorates `fastify.readiness`; `buildServer` exempts both routes from the guard, rate limits and the pressure check.
 *
 * @example
 * await fastify.register(healthPlugin, { ready: () => runtime.ready() })
 * process.once('SIGTERM', () => fastify.readiness.drain())
 */
export const healthPlugin = fp(health, { fastify: '5.x', name: 'b24bi-health' })
export default healthPlugin
