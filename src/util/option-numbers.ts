import { ERR_CONFIG_INVALID } from '../core/errors.js'

/**
 * `value` when it is a finite number above 0, else `B24BI_ERR_CONFIG_INVALID` naming `name`. The one check of a
 * numeric option, shared by the runtime's and the adapters' option resolvers.
 *
 * @example
 * positiveOption('deadlineSeconds', 55) // 55
 */
export function positiveOption (name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ERR_CONFIG_INVALID(name, 'must be a positive number')
  return value
}

/** `value` when it is a finite number, 0 or above, else `B24BI_ERR_CONFIG_INVALID` naming `name`. */
export function nonNegativeOption (name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ERR_CONFIG_INVALID(name, 'must be a non-negative number')
  return value
}

/** `value` when it is a whole number, 1 or above, else `B24BI_ERR_CONFIG_INVALID` naming `name`. */
export function countOption (name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ERR_CONFIG_INVALID(name, 'must be a positive integer')
  return value
}
