import type { FastifyInstance } from 'fastify'
import { parseFormBody } from '../protocol/form-body.js'
import { ERR_REQUEST_MALFORMED, ERR_REQUEST_TOO_LARGE } from '../core/errors.js'

/**
 * Replaces the content-type parsers of an encapsulated context with the two bodies the portal sends:
 * `application/x-www-form-urlencoded` in PHP bracket notation and `application/json`; any other type is a 415.
 * A body that does not parse is 400 `B24BI_ERR_REQUEST_MALFORMED`. The size limit is the route's (or the
 * server's) `bodyLimit`.
 *
 * @example
 * await fastify.register(async (routes) => { registerBodyParsers(routes); routes.post('/x', handler) })
 */
export function registerBodyParsers (fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch (error) {
      done(new ERR_REQUEST_MALFORMED('not valid JSON', { cause: error }), undefined)
    }
  })
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
}

/**
 * Refuses a request whose declared `content-length` is over its route's body limit with 413
 * `B24BI_ERR_REQUEST_TOO_LARGE` on every route (GET, the probes and unknown paths included, where Fastify would
 * otherwise never read the body), before anything else runs. A body without a length is still cut off by the
 * parsers at the same limit.
 *
 * @example
 * refuseOversizedBodies(fastify) // first hook of the server
 */
export function refuseOversizedBodies (fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length'])
    const limit = request.routeOptions.bodyLimit
    if (declared > limit) throw new ERR_REQUEST_TOO_LARGE(String(limit))
  })
}
