import createError from '@fastify/error'

/**
 * Every error b24bi raises carries a stable `code` and the HTTP `statusCode` the portal gets.
 * The message is safe to show to the portal: it never holds a driver message, SQL, a host or a secret.
 * A foreign error travels in `cause` and is only logged.
 */
export class B24biError extends Error {
  declare readonly code: string
  declare readonly statusCode: number

  constructor (code: string, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    Object.assign(this, { code, statusCode })
  }
}

// @fastify/error names every instance 'FastifyError' (an assignment in its constructor): b24bi's errors keep their
// own name in stacks and logs.
Object.defineProperty(B24biError.prototype, 'name', { get: () => 'B24biError', set () {}, configurable: true })

/** A constructor for one registered error: `new ERR_X(arg1, arg2, { cause })`. */
export interface B24biErrorClass {
  new (...args: Array<string | number | { cause?: unknown }>): B24biError
  readonly code: string
  readonly statusCode: number
  readonly template: string
}

const registry = new Map<string, B24biErrorClass>()

/** One registered error, built by `@fastify/error` on `B24biError`; `template` takes `%s` placeholders. */
function registerError (code: string, template: string, statusCode: number): B24biErrorClass {
  const ErrorClass = createError(code, template, statusCode, B24biError as unknown as ErrorConstructor)
  // Logs name an error by its constructor (pino's `type`): the code, not `FastifyError`.
  Object.defineProperty(ErrorClass, 'name', { value: code })
  const registered = Object.assign(ErrorClass, { code, statusCode, template }) as unknown as B24biErrorClass
  registry.set(code, registered)
  return registered
}

/** All registered errors, for the errors table of docs/errors.md and its test. */
export function listErrors (): B24biErrorClass[] {
  return [...registry.values()]
}

/** True for any error carrying a b24bi code; works across package copies (no instanceof). */
export function isB24biError (error: unknown): error is B24biError {
  return typeof error === 'object' && error !== null &&
    typeof (error as B24biError).code === 'string' && (error as B24biError).code.startsWith('B24BI_ERR_') &&
    typeof (error as B24biError).statusCode === 'number'
}

// request shape
export const ERR_REQUEST_MALFORMED = registerError('B24BI_ERR_REQUEST_MALFORMED', 'The request body could not be parsed: %s', 400)
export const ERR_REQUEST_INVALID = registerError('B24BI_ERR_REQUEST_INVALID', 'The request body is invalid: %s', 400)
export const ERR_REQUEST_TOO_LARGE = registerError('B24BI_ERR_REQUEST_TOO_LARGE', 'The request body is larger than %s bytes', 413)
export const ERR_REQUEST_MEDIA_TYPE = registerError('B24BI_ERR_REQUEST_MEDIA_TYPE', 'Unsupported content type; send application/x-www-form-urlencoded or application/json', 415)
export const ERR_SETTING_MISSING = registerError('B24BI_ERR_SETTING_MISSING', "The connection setting '%s' is missing", 400)
export const ERR_SETTING_INVALID = registerError('B24BI_ERR_SETTING_INVALID', "The connection setting '%s' must be %s", 400)

// authentication and access
export const ERR_AUTH_REJECTED = registerError('B24BI_ERR_AUTH_REJECTED', 'The connection settings were not accepted', 401)
export const ERR_ACCESS_DENIED = registerError('B24BI_ERR_ACCESS_DENIED', 'Access denied: %s', 403)
export const ERR_RATE_LIMITED = registerError('B24BI_ERR_RATE_LIMITED', 'Too many requests; retry in %s seconds', 429)
export const ERR_AUTH_THROTTLED = registerError('B24BI_ERR_AUTH_THROTTLED', 'Too many refused connection settings; retry in %s seconds', 429)

// tables and fields
export const ERR_TABLE_NOT_FOUND = registerError('B24BI_ERR_TABLE_NOT_FOUND', "Unknown table '%s'", 404)
export const ERR_TABLE_NO_FIELDS = registerError('B24BI_ERR_TABLE_NO_FIELDS', "The table '%s' has no fields; the portal refuses an empty description", 500)
export const ERR_FIELD_NOT_FOUND = registerError('B24BI_ERR_FIELD_NOT_FOUND',
  "Unknown field '%s' in %s; a field renamed in the portal's table is found only when the connector is registered with supportMapping (the portal then sends mapFields)", 400)
export const ERR_FIELD_AMBIGUOUS = registerError('B24BI_ERR_FIELD_AMBIGUOUS', "The field name '%s' is proposed for the codes %s; tell them apart with mapFields (supportMapping)", 400)
export const ERR_MAP_FIELDS_INVALID = registerError('B24BI_ERR_MAP_FIELDS_INVALID', 'mapFields: %s', 400)

// filter
export const ERR_FILTER_KEY = registerError('B24BI_ERR_FILTER_KEY', "Filter key '%s' is not understood: %s", 400)
export const ERR_FILTER_VALUE = registerError('B24BI_ERR_FILTER_VALUE', "Filter key '%s' has an invalid value: %s", 400)
export const ERR_FILTER_DATE_AMBIGUOUS = registerError('B24BI_ERR_FILTER_DATE_AMBIGUOUS',
  "Filter key '%s' has the date '%s', which reads as MM/DD/YYYY and as DD/MM/YYYY: set portalDateFormat (env B24BI_PORTAL_DATE_FORMAT) to the portal's date format", 400)

// limits and time
export const ERR_LIMIT_EXCEEDED = registerError('B24BI_ERR_LIMIT_EXCEEDED', 'The answer would exceed the maximum of %s rows; add a filter or a limit', 400)
export const ERR_DEADLINE = registerError('B24BI_ERR_DEADLINE', 'The answer did not finish within %s seconds', 504)
export const ERR_QUERY_TIMEOUT = registerError('B24BI_ERR_QUERY_TIMEOUT', 'The source did not answer within %s seconds', 504)
export const ERR_CLIENT_GONE = registerError('B24BI_ERR_CLIENT_GONE', 'The client disconnected before the answer was complete', 499)
export const ERR_OVERLOADED = registerError('B24BI_ERR_OVERLOADED', 'The connector is overloaded; retry later', 503)
export const ERR_READS_LIMITED = registerError('B24BI_ERR_READS_LIMITED',
  'These connection settings already have %s urlData answers in progress; retry in %s seconds', 429)
export const ERR_CLIENT_STALLED = registerError('B24BI_ERR_CLIENT_STALLED', 'The client read nothing of the answer for %s seconds', 408)

// the source and the adapter
export const ERR_SOURCE_UNAVAILABLE = registerError('B24BI_ERR_SOURCE_UNAVAILABLE', 'The data source is unavailable', 502)
export const ERR_SOURCE_FAILED = registerError('B24BI_ERR_SOURCE_FAILED', 'The data source failed to answer', 502)
export const ERR_SOURCE_BUSY = registerError('B24BI_ERR_SOURCE_BUSY', 'The data source has no free connection; retry in %s seconds', 503)
export const ERR_HOST_REFUSED = registerError('B24BI_ERR_HOST_REFUSED', "The host '%s' is not allowed", 403)
export const ERR_VALUE_INVALID = registerError('B24BI_ERR_VALUE_INVALID', "Field '%s' declared %s got %s; expected %s", 500)
export const ERR_ADAPTER_CLOSED = registerError('B24BI_ERR_ADAPTER_CLOSED', 'The adapter is closed', 503)
export const ERR_ADAPTER_FAILED = registerError('B24BI_ERR_ADAPTER_FAILED', 'The adapter failed', 500)
export const ERR_NOT_SUPPORTED = registerError('B24BI_ERR_NOT_SUPPORTED', '%s is not supported by this adapter', 501)

// configuration (thrown at start-up, never at request time)
export const ERR_DRIVER_MISSING = registerError('B24BI_ERR_DRIVER_MISSING', "The package '%s' is not installed; it is an optional peer dependency of b24bi: npm install %s", 500)
export const ERR_CONFIG_INVALID = registerError('B24BI_ERR_CONFIG_INVALID', "Configuration setting '%s' is invalid: %s", 500)
export const ERR_DEMO_CACHE = registerError('B24BI_ERR_DEMO_CACHE', "The demo data folder '%s' cannot be used: %s", 500)

// Bitrix24 REST
export const ERR_REST_FAILED = registerError('B24BI_ERR_REST_FAILED', 'Bitrix24 REST method %s failed: %s', 502)
export const ERR_REST_INSECURE = registerError('B24BI_ERR_REST_INSECURE', "Refusing plain http to the non-local portal '%s'", 400)

/** An error the answer carries with a `Retry-After` header (seconds): 429 and 503 answers. */
export function withRetryAfter<E extends B24biError> (error: E, seconds: number): E & { retryAfterSeconds: number } {
  return Object.assign(error, { retryAfterSeconds: Math.max(1, Math.ceil(seconds)) })
}

/** The `Retry-After` seconds an error asks for, if any. */
export function retryAfterOf (error: unknown): number | undefined {
  const seconds = (error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds
  return typeof seconds === 'number' && seconds > 0 ? seconds : undefined
}

/** Turns anything thrown into a coded error; a foreign error becomes `fallback` with the original as cause. */
export function toB24biError (error: unknown, fallback: B24biErrorClass = ERR_ADAPTER_FAILED): B24biError {
  if (isB24biError(error)) return error
  // eslint-disable-next-line new-cap -- an error class passed as a parameter
  return new fallback({ cause: error })
}

// Bitrix24 REST client and install flow
export const ERR_REST_CALL = registerError('B24BI_ERR_REST_CALL', 'Bitrix24 REST method %s answered %s: %s', 502)
export const ERR_OAUTH_RENEW = registerError('B24BI_ERR_OAUTH_RENEW', 'Renewing the Bitrix24 access token failed: %s', 502)
export const ERR_TOKENS_NOT_FOUND = registerError('B24BI_ERR_TOKENS_NOT_FOUND', "No Bitrix24 tokens are stored for the portal '%s'", 404)
export const ERR_TOKEN_STORE = registerError('B24BI_ERR_TOKEN_STORE', 'The token store failed: %s', 500)
export const ERR_TOKEN_STORE_UNWRITABLE = registerError('B24BI_ERR_TOKEN_STORE_UNWRITABLE', 'The token store cannot be written: %s', 500)
export const ERR_TOKEN_STORE_NOT_SHARED = registerError('B24BI_ERR_TOKEN_STORE_NOT_SHARED', "The token store '%s' serves one replica only: %s", 500)
export const ERR_TOKEN_LOCK = registerError('B24BI_ERR_TOKEN_LOCK', "The token renewal lock of the portal '%s' was not acquired within %s seconds", 503)
export const ERR_INSTALL_INVALID = registerError('B24BI_ERR_INSTALL_INVALID', 'The application event is invalid: %s', 400)
export const ERR_INSTALL_FORBIDDEN = registerError('B24BI_ERR_INSTALL_FORBIDDEN', 'The application event was refused: %s', 403)
export const ERR_INSTALL_FAILED = registerError('B24BI_ERR_INSTALL_FAILED', 'The connector could not be registered on the portal', 502)
export const ERR_PAGE_DENIED = registerError('B24BI_ERR_PAGE_DENIED', 'The application page was refused: %s', 403)
export const ERR_PAGE_SESSION = registerError('B24BI_ERR_PAGE_SESSION', 'The page session is missing, expired or not valid; reload the page', 401)
export const ERR_CLI_USAGE = registerError('B24BI_ERR_CLI_USAGE', '%s', 400)
export const ERR_CONNECTOR_INVALID = registerError('B24BI_ERR_CONNECTOR_INVALID', "The connector's %s is invalid: %s", 400)
export const ERR_PUBLIC_URL_PRIVATE = registerError('B24BI_ERR_PUBLIC_URL_PRIVATE', "The public URL's host '%s' is %s: the portal cannot call it (allow it with --allow-private-url for a portal on the same network)", 400)
export const ERR_TABLES_SYNC = registerError('B24BI_ERR_TABLES_SYNC', 'The portal tables could not be synced: %s', 502)

// operations (server, configuration, probes)
export const ERR_ROUTE_NOT_FOUND = registerError('B24BI_ERR_ROUTE_NOT_FOUND', 'No route %s %s', 404)
