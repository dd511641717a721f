import * as errors from './errors.js'

/** The name of every registered error: `'ERR_TABLE_NOT_FOUND' | 'ERR_SOURCE_FAILED' | …`. */
export type ErrorName = Extract<keyof typeof errors, `ERR_${string}`>

/**
 * Every error b24bi raises, by name, as fastify's `errorCodes` holds its own: each entry is the error's
 * constructor, and its `code` is the string an error of that kind carries. Match a caught error by code (works
 * across package copies), and construct one with `new`.
 *
 * @example
 * import { errorCodes, isB24biError } from 'b24bi'
 * if (isB24biError(error) && error.code === errorCodes.ERR_TABLE_NOT_FOUND.code) reply.code(404)
 * throw new errorCodes.ERR_SOURCE_BUSY('5') // 'The data source has no free connection; retry in 5 seconds'
 */
export const errorCodes: { readonly [N in ErrorName]: (typeof errors)[N] } = Object.freeze(
  Object.fromEntries(Object.entries(errors).filter(([name]) => name.startsWith('ERR_')))
) as { readonly [N in ErrorName]: (typeof errors)[N] }
