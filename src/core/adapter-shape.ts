import type { Adapter } from './adapter.js'
import { ERR_CONFIG_INVALID } from './errors.js'

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
 * Refuses, naming what is missing, a value that lacks anything the runtime calls on an adapter: the runtime checks
 * the adapter it is given (so `buildServer` and the connector plugin fail at start-up, not with B24BI_ERR_ADAPTER_FAILED
 * at the first request), and `b24bi serve` the one a module produced. `setting` is the configuration key that chose
 * it; `source`, when given, the module that produced it.
 */
export function assertAdapterShape (value: unknown, setting: string, source?: string): asserts value is Adapter {
  const what = source === undefined ? 'is not an adapter' : `'${source}' did not produce an adapter`
  if (typeof value !== 'object' || value === null) {
    throw new ERR_CONFIG_INVALID(setting, `${what} (an object with listTables, describeTable and readRows), got ${value === null ? 'null' : typeof value}`)
  }
  const missing = missingAdapterMembers(value)
  if (missing.length === 0) return
  throw new ERR_CONFIG_INVALID(setting, `${what}: it lacks ${missing.join(', ')}` +
    " (extend Adapter from 'b24bi': it defaults init, check, capabilities, ready, close and settings)")
}
