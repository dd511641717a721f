import type { FastifyRequest } from 'fastify'
import { ERR_RATE_LIMITED, withRetryAfter } from '../core/errors.js'
import type { RateLimiter } from '../policy/rate-limiter.js'

/**
 * A route hook that counts each request under `keyOf(request)` and refuses one over the limit: 429
 * `B24BI_ERR_RATE_LIMITED` with Retry-After. A store that fails lets the request through and logs it (fail open:
 * a Redis outage must not refuse every portal).
 *
 * @example
 * fastify.post('/bitrix24/events', { onRequest: rateLimitHook(limiter, (request) => 'ip:' + request.ip) }, handler)
 */
export function rateLimitHook (limiter: RateLimiter, keyOf: (request: FastifyRequest) => string): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    let wait: number
    try {
      wait = await limiter.consume(keyOf(request))
    } catch (error) {
      request.log.warn({ err: error }, 'the rate-limit store failed; the request is let through')
      return
    }
    if (wait > 0) throw withRetryAfter(new ERR_RATE_LIMITED(String(wait)), wait)
  }
}
