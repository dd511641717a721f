import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'

/** Options of `healthPlugin`. */
export interface HealthPluginOptions {
  /** Resolves true when the source can be reached (usually `runtime.ready()`). Default: always true. */
  ready?: () => Promise<boolean>
  /** Seconds in the Retry-After of a 503 from `/ready`. Default 5. */
  retryAfterSeconds?: number
}

const Status = Type.Object({ status: Type.String() })

const health: FastifyPluginAsync<HealthPluginOptions> = async (fastify, options) => {
  const ready = options.ready ?? (async () => true)
  const retryAfter = String(options.retryAfterSeconds ?? 5)
  fastify.get('/health', {
    schema: { summary: 'Liveness: the process is up', tags: ['operations'], response: { 200: Status } }
  }, async () => ({ status: 'ok' }))
  fastify.get('/ready', {
    schema: { summary: 'Readiness: the adapter can reach its source', tags: ['operations'], response: { 200: Status, 503: Status } }
  }, async (_request, reply) => {
    if (await ready()) return { status: 'ok' }
    return await reply.code(503).header('retry-after', retryAfter).send({ status: 'unavailable' })
  })
}

/**
 * `GET /health` (the process is up: liveness) and `GET /ready` (the source answers: readiness, 503 otherwise).
 * `buildServer` exempts both from the guard, rate limits and the pressure check (by path).
 *
 * @example
 * await fastify.register(healthPlugin, { ready: () => runtime.ready() })
 */
export const healthPlugin = fp(health, { fastify: '5.x', name: 'b24bi-health' })
export default healthPlugin
