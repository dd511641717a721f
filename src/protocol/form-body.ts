import qs from 'qs'
import { ERR_REQUEST_MALFORMED } from '../core/errors.js'

/** Limits of the form decoder: 500 selected fields stay an array; a hostile body cannot nest or fan out without bound. */
export const FORM_LIMITS = Object.freeze({
  arrayLimit: 5000, // indices; a higher index makes an object, which normalizeBody turns back into a list
  depth: 10, // bracket levels (filter groups nest)
  parameterLimit: 20_000 // key=value pairs
})

/**
 * Decodes the portal's `application/x-www-form-urlencoded` body in PHP bracket notation
 * (`connection[token]=x&select[0]=ID&filter[>=DATE]=01.05.2025`). Every scalar stays a string.
 */
export function parseFormBody (body: string): Record<string, unknown> {
  try {
    return qs.parse(body, {
      ...FORM_LIMITS,
      allowPrototypes: false,
      plainObjects: true,
      strictDepth: true,
      throwOnLimitExceeded: true,
      allowDots: false,
      charset: 'utf-8'
    }) as Record<string, unknown>
  } catch (error) {
    throw new ERR_REQUEST_MALFORMED('the form body nests too deep or has too many parameters', { cause: error })
  }
}

const INDEX = /^(?:0|[1-9]\d{0,5})$/

/**
 * A list the portal sent as an index-keyed object (`{0: 'ID', 1: 'TITLE'}`) becomes an array, in index order;
 * anything else is returned as it was.
 */
export function asList (value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const keys = Object.keys(value)
  if (keys.length === 0 || !keys.every((key) => INDEX.test(key))) return value
  return keys.map(Number).sort((a, b) => a - b).map((index) => (value as Record<string, unknown>)[String(index)])
}

/** Brings a decoded body (form or JSON) to one shape before schema validation. */
export function normalizeBody (body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body
  const record = body as Record<string, unknown>
  if (record.select !== undefined) {
    const select = asList(record.select)
    return { ...record, select: select === '' ? [] : select }
  }
  return record
}
