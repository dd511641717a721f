import { ERR_REST_CALL, isB24biError, type B24biError } from '../errors.js'

/** A `B24BI_ERR_REST_CALL` error: the portal answered `{error, error_description}`. */
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

/** The vendor codes meaning "renew the access token and call again". */
export const EXPIRED_TOKEN_CODES: readonly string[] = ['expired_token']

/** The vendor codes meaning "back off and call again". */
export const RETRYABLE_CODES: readonly string[] = ['QUERY_LIMIT_EXCEEDED']
