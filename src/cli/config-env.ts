import { ERR_CONFIG_INVALID } from '../core/errors.js'
import { ConfigSchema } from './config-schema.js'

/** How an env var's text is read: as the setting's type says. */
type Kind = 'string' | 'number' | 'boolean' | 'list' | 'json' | 'mixed'

/** The part of a schema node the walk reads. */
interface Node {
  type?: string
  anyOf?: Node[]
  properties?: Record<string, Node>
  env?: string | readonly string[]
}

function kindOf (node: Node): Kind {
  if (node.anyOf !== undefined) return node.anyOf.every((member) => member.type === 'string') ? 'string' : 'mixed'
  switch (node.type) {
    case 'number':
    case 'integer': return 'number'
    case 'boolean': return 'boolean'
    case 'array': return 'list'
    case 'object': return 'json'
    default: return 'string'
  }
}

/**
 * Each env var, the setting it sets and how its text is read, from the `env` of each setting of `schema` (and of
 * the settings inside an object setting). Later rows win: a setting's own variable wins over a JSON variable of the
 * object holding it, and of a setting's several names the first one set wins.
 */
function envVarsOf (schema: Node, prefix = ''): Array<readonly [name: string, path: string, kind: Kind]> {
  const rows: Array<readonly [name: string, path: string, kind: Kind]> = []
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    const path = prefix + key
    const names = node.env === undefined ? [] : typeof node.env === 'string' ? [node.env] : [...node.env].reverse()
    for (const name of names) rows.push([name, path, kindOf(node)] as const)
    if (node.type === 'object') rows.push(...envVarsOf(node, path + '.'))
  }
  return rows
}

/** Each env var of `b24bi serve`, the config path it sets and how its text is read. Later rows win over earlier ones. */
export const ENV_VARS: ReadonlyArray<readonly [name: string, path: string, kind: Kind]> = Object.freeze(envVarsOf(ConfigSchema as Node))

function read (name: string, text: string, kind: Kind): unknown {
  const trimmed = text.trim()
  switch (kind) {
    case 'string': return trimmed
    case 'list': return trimmed.split(',').map((item) => item.trim()).filter((item) => item !== '')
    case 'number': {
      const number = Number(trimmed)
      if (trimmed === '' || !Number.isFinite(number)) throw new ERR_CONFIG_INVALID(name, `'${text}' is not a number`)
      return number
    }
    case 'boolean': {
      if (/^(1|true|yes|on)$/i.test(trimmed)) return true
      if (/^(0|false|no|off)$/i.test(trimmed)) return false
      throw new ERR_CONFIG_INVALID(name, `'${text}' is not true or false`)
    }
    case 'mixed': {
      if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true'
      return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed
    }
    case 'json': {
      try {
        const parsed: unknown = JSON.parse(trimmed)
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object')
        return parsed
      } catch (error) {
        throw new ERR_CONFIG_INVALID(name, 'is not a JSON object', { cause: error })
      }
    }
  }
}

function set (target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let node = target
  for (const key of keys.slice(0, -1)) {
    const next = node[key]
    node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Record<string, unknown>
  }
  const last = keys[keys.length - 1]!
  const current = node[last]
  node[last] = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof current === 'object' && current !== null
    ? { ...current, ...value }
    : value
}

/** The part of the configuration set by env vars (empty values are ignored). A malformed value throws naming the var. */
export function configFromEnv (env: NodeJS.ProcessEnv): Record<string, unknown> {
  const config: Record<string, unknown> = {}
  for (const [name, path, kind] of ENV_VARS) {
    const text = env[name]
    if (text === undefined || text.trim() === '') continue
    set(config, path, read(name, text, kind))
  }
  return config
}

/** True when the JSON text of a 'json' env var holds the key at `rest` (dotted, relative to its setting). */
function holds (text: string, rest: string[]): boolean {
  try {
    let node: unknown = JSON.parse(text)
    for (const key of rest) {
      if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false
      node = (node as Record<string, unknown>)[key]
    }
    return true
  } catch {
    return false
  }
}

/** The env var that set `path` (or a parent of it), for error messages: `logLevel (from LOG_LEVEL)`. */
export function envSource (path: string, env: NodeJS.ProcessEnv): string | undefined {
  let found: string | undefined
  for (const [name, setting, kind] of ENV_VARS) {
    const text = env[name]
    if (text === undefined || text.trim() === '' || !(path === setting || path.startsWith(setting + '.'))) continue
    if (kind === 'json' && path !== setting && !holds(text, path.slice(setting.length + 1).split('.'))) continue
    found = name
  }
  return found
}

/** A setting and the env vars that set it, for a message that says how to set it: `hashKey (B24BI_HASH_KEY)`. */
export function envHint (path: string): string {
  const names = ENV_VARS.filter(([, setting]) => setting === path).map(([name]) => name).reverse()
  return names.length === 0 ? path : `${path} (${names.join(', ')})`
}
