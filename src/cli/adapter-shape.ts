import type { Adapter } from '../adapter.js'
import { ERR_CONFIG_INVALID } from '../errors.js'

/** Every method the runtime calls on an adapter. A subclass of `Adapter` inherits all but the three abstract ones. */
const ADAPTER_METHODS = ['init', 'check', 'listTables', 'describeTable', 'readRows', 'capabilities', 'ready', 'close'] as const

/** What `value` lacks to be an adapter: `name()` for each missing method, `settings` unless it is an array. */
export function missingAdapterMembers (value: object): string[] {
  const members = value as Partial<Record<string, unknown>>
  const missing: string[] = ADAPTER_METHODS.filter((method) => typeof members[method] !== 'function').map((method) => `${method}()`)
  if (!Array.isArray(members.settings)) missing.push('settings (an array)')
  return missing
}

/**
 * Stops the start when a loaded adapter lacks anything the runtime calls, naming what is missing, instead of a
 * B24BI_ERR_ADAPTER_FAILED at the first request. `setting` is the configuration key that chose the module.
 */
export function assertAdapterShape (value: unknown, name: string, setting: string): asserts value is Adapter {
  if (typeof value !== 'object' || value === null) {
    throw new ERR_CONFIG_INVALID(setting, `'${name}' did not produce an adapter (an object with listTables, describeTable and readRows), got ${value === null ? 'null' : typeof value}`)
  }
  const missing = missingAdapterMembers(value)
  if (missing.length === 0) return
  throw new ERR_CONFIG_INVALID(setting, `'${name}' did not produce an adapter: it lacks ${missing.join(', ')}` +
    " (extend Adapter from 'b24bi': it defaults init, check, capabilities, ready, close and settings)")
}
