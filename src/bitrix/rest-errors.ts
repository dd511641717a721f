import { ERR_REST_CALL, isB24biError, type B24biError } from '../core/errors.js'

/** A `B24BI_ERR_REST_CALL` error: the portal answered `{error, error_description}` (at the top or inside `result`). */
export interface RestCallError extends B24biError {
  /** The REST method called, e.g. `biconnector.connector.add`. */
  readonly method: string
  /** The portal's own code, e.g. `ACCESS_DENIED`, `QUERY_LIMIT_EXCEEDED`, `expired_token`. */
  readonly vendorCode: string
  /** The portal's description (not meant for end users as is). */
  readonly vendorDescription: string
  /** The HTTP status the portal answered with (often 200 for validation errors). */
  readonly httpStatus: number
}

/** Builds the coded error for a portal error answer, keeping the vendor code as a property. */
export function restCallError (method: string, vendorCode: string, vendorDescription: string, httpStatus: number): RestCallError {
  const error = new ERR_REST_CALL(method, vendorCode, vendorDescription === '' ? '(no description)' : vendorDescription)
  return Object.assign(error, { method, vendorCode, vendorDescription, httpStatus })
}

/** True when `error` is a portal error answer, optionally with one of the given vendor codes. */
export function isRestCallError (error: unknown, ...vendorCodes: string[]): error is RestCallError {
  if (!isB24biError(error) || error.code !== 'B24BI_ERR_REST_CALL') return false
  const vendorCode = (error as Partial<RestCallError>).vendorCode
  return typeof vendorCode === 'string' && (vendorCodes.length === 0 || vendorCodes.includes(vendorCode))
}

/**
 * The vendor codes meaning "renew the access token and call again": `expired_token`, and `invalid_token` for an
 * access token another replica's refresh has just invalidated (the store then holds its successor).
 */
export const EXPIRED_TOKEN_CODES: readonly string[] = ['expired_token', 'invalid_token']

/** The vendor codes meaning "back off and call again". */
export const RETRYABLE_CODES: readonly string[] = ['QUERY_LIMIT_EXCEEDED']

/**
 * The error a `biconnector.*` method answers inside `result` (HTTP 200):
 * `{"result":{"error":{"error":"VALIDATION_...","error_description":"..."}}}`, or undefined for a real result.
 * A numeric code is kept as text (a `table.update` a portal handler refused answers `error: 0`, kept as `'0'`).
 */
export function errorInsideResult (result: unknown): { code: string, description: string } | undefined {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return undefined
  const inner = (result as Record<string, unknown>).error
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return undefined
  const { error, error_description: description } = inner as Record<string, unknown>
  if (error === undefined && description === undefined) return undefined
  const code = typeof error === 'string' || typeof error === 'number' ? String(error) : ''
  return { code: code === '' ? '0' : code, description: typeof description === 'string' ? description : '' }
}
