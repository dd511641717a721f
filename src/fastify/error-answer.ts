import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  ERR_ADAPTER_FAILED, ERR_REQUEST_INVALID, ERR_REQUEST_MALFORMED, ERR_REQUEST_MEDIA_TYPE, ERR_REQUEST_TOO_LARGE,
  ERR_ROUTE_NOT_FOUND, isB24biError, retryAfterOf, toB24biError, type B24biError
} from '../core/errors.js'
import { isRestCallError } from '../bitrix/rest-errors.js'

/**
 * Maps whatever a route, hook or body parser threw to a coded error the portal may see: schema failures, an
 * oversized body (413 naming `bodyLimit`), an unsupported content type (415) and unparsable bodies keep their
 * 4xx meaning; anything else foreign becomes 500 `B24BI_ERR_ADAPTER_FAILED` with the original as `cause`, whose
 * message (it may hold a host, SQL or a password) never reaches the client.
 *
 * @example
 * codedError(fastifyBodyTooLarge, 1024).code // 'B24BI_ERR_REQUEST_TOO_LARGE'
 */
export function codedError (error: unknown, bodyLimit: number): B24biError {
  if (isB24biError(error)) return error
  const fastifyError = error as Partial<FastifyError>
  if (fastifyError.validation !== undefined) {
    const first = fastifyError.validation[0]
    const where = first?.instancePath !== undefined && first.instancePath !== '' ? first.instancePath.slice(1).replaceAll('/', '.') : 'body'
    return new ERR_REQUEST_INVALID(`${where} ${first?.message ?? 'is invalid'}`)
  }
  switch (fastifyError.statusCode) {
    case 413: return new ERR_REQUEST_TOO_LARGE(String(bodyLimit), { cause: error })
    case 415: return new ERR_REQUEST_MEDIA_TYPE({ cause: error })
    case 400: return new ERR_REQUEST_MALFORMED('not valid JSON or form data', { cause: error })
  }
  if (error instanceof SyntaxError) return new ERR_REQUEST_MALFORMED('not valid JSON or form data', { cause: error })
  return toB24biError(error, ERR_ADAPTER_FAILED)
}

/** Errors already logged with more facts than the error handler has (the urlData summary line): logged once. */
const loggedElsewhere = new WeakSet<object>()

/**
 * Marks an error as logged already: `answerError` then answers it without a second log line at error level (only a
 * debug line with its code), so one failure is one alert.
 */
export function markLogged (error: unknown): void {
  if (typeof error === 'object' && error !== null) loggedElsewhere.add(error)
}

/**
 * Sends `{ error, message }` (and the portal's `vendorCode` of a failed REST call, also when it is the cause of a
 * fixed-text error: a code, never the portal's words) with the coded error's status as JSON, and `Retry-After`
 * when the error asks for one.
 */
function send (reply: FastifyReply, coded: B24biError): void {
  const vendor = isRestCallError(coded) ? coded : isRestCallError(coded.cause) ? coded.cause : undefined
  const vendorCode = vendor === undefined ? {} : { vendorCode: vendor.vendorCode }
  const retryAfter = retryAfterOf(coded)
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter))
  void reply.code(coded.statusCode).type('application/json; charset=utf-8').send({ error: coded.code, message: coded.message, ...vendorCode })
}

/**
 * The one Fastify error handler of the connector routes, the install routes and the server: the coded answer
 * of `codedError` (the 413 names the route's own body limit); a 5xx is logged at error with its cause (at warn
 * when it carries a Retry-After: load shed on purpose; at debug when `markLogged` says it was logged), a 4xx at
 * info with its code.
 *
 * @example
 * fastify.setErrorHandler(answerError)
 */
export function answerError (error: FastifyError | B24biError, request: FastifyRequest, reply: FastifyReply): void {
  const coded = codedError(error, request.routeOptions.bodyLimit)
  // A 5xx with Retry-After is load shed on purpose (overloaded, the source busy): a warning with its code. As an
  // error with a stack, a flood of callers beyond the caps would be a flood of alerts.
  const retryAfter = retryAfterOf(coded)
  if (loggedElsewhere.has(error) || loggedElsewhere.has(coded)) request.log.debug({ code: coded.code }, `${coded.message} (logged above)`)
  else if (coded.statusCode >= 500 && retryAfter === undefined) request.log.error({ err: coded, cause: coded.cause }, coded.message)
  else if (coded.statusCode >= 500) request.log.warn({ code: coded.code, retryAfter }, coded.message)
  else request.log.info({ code: coded.code }, coded.message)
  send(reply, coded)
}

/**
 * The server's not-found handler: 404 `B24BI_ERR_ROUTE_NOT_FOUND` naming the method and the path (never the
 * query string, which may hold `?secret=`).
 *
 * @example
 * fastify.setNotFoundHandler(answerNotFound)
 */
export function answerNotFound (request: FastifyRequest, reply: FastifyReply): void {
  send(reply, new ERR_ROUTE_NOT_FOUND(request.method, request.url.split('?', 1)[0] ?? ''))
}
