import { readFileSync } from 'node:fs'
import { Value } from 'typebox/value'
import { ERR_CONFIG_INVALID, type B24biError } from '../core/errors.js'
import { ipRangeMatcher } from '../policy/ip-ranges.js'
import { resolveRuntimeOptions, RuntimeOptionsSchema, type RuntimeOptions } from '../runtime/runtime-options.js'
import { deepFreeze, findInvalidOption, findUnknownOption, unknownOptionProblem } from '../util/strict-options.js'
import { ADAPTER_OPTIONS, ADAPTER_TYPES } from './adapter-options.js'
import { ConfigSchema, type Config } from './config-schema.js'
import { configFromEnv, envHint, envSource } from './config-env.js'

/** Where the configuration comes from: an optional JSON file, then env vars (which win). */
export interface ConfigSources {
  /** Path of a JSON file. */
  file?: string
  /** Usually `process.env`; read only here, at the edge. */
  env?: NodeJS.ProcessEnv
}

/** The text without `//` and `/* *\/` comments outside strings (a config file may be commented, like tsconfig.json). */
export function stripJsonComments (text: string): string {
  let out = ''
  let inString = false
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!
    if (inString) {
      out += char
      if (char === '\\') out += text[++at] ?? ''
      else if (char === '"') inString = false
    } else if (char === '"') {
      inString = true
      out += char
    } else if (char === '/' && text[at + 1] === '/') {
      while (at < text.length && text[at] !== '\n') at++
      out += '\n'
    } else if (char === '/' && text[at + 1] === '*') {
      const end = text.indexOf('*/', at + 2)
      at = end === -1 ? text.length : end + 1
      out += ' '
    } else {
      out += char
    }
  }
  return out
}

function readJsonFile (file: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ERR_CONFIG_INVALID('--config', `cannot read '${file}'`, { cause: error })
  }
  try {
    const parsed: unknown = JSON.parse(stripJsonComments(text))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object')
    return parsed as Record<string, unknown>
  } catch (error) {
    throw new ERR_CONFIG_INVALID('--config', `'${file}' is not a JSON object`, { cause: error })
  }
}

function merge (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const current = out[key]
    const bothObjects = typeof value === 'object' && value !== null && !Array.isArray(value) &&
      typeof current === 'object' && current !== null && !Array.isArray(current)
    out[key] = bothObjects ? merge(current as Record<string, unknown>, value as Record<string, unknown>) : value
  }
  return out
}

function firstProblem (value: unknown, env: NodeJS.ProcessEnv): B24biError {
  const unknown = findUnknownOption(ConfigSchema, value)
  if (unknown !== undefined) return new ERR_CONFIG_INVALID(named(unknown.path, env), unknownOptionProblem(unknown).replace('known option', 'known setting'))
  const invalid = findInvalidOption(ConfigSchema, value)
  return new ERR_CONFIG_INVALID(invalid === undefined || invalid.path === '' ? 'config' : named(invalid.path, env), invalid?.problem ?? 'is invalid')
}

function named (path: string, env: NodeJS.ProcessEnv): string {
  const from = envSource(path, env)
  return from === undefined ? path : `${path} (from ${from})`
}

/** The adapter's type is known and its options too, at any depth (`module` options are the module's business). */
function checkAdapter (config: Config, env: NodeJS.ProcessEnv): void {
  const { type, module, ...options } = config.adapter
  if (!ADAPTER_TYPES.includes(type)) {
    throw new ERR_CONFIG_INVALID(named('adapter.type', env), `'${type}' is not one of ${ADAPTER_TYPES.join(', ')}`)
  }
  if (type === 'module') return
  if (module !== undefined) throw new ERR_CONFIG_INVALID(named('adapter.module', env), "is only for adapter.type 'module'")
  const unknown = findUnknownOption(ADAPTER_OPTIONS[type]!, options)
  if (unknown !== undefined) {
    throw new ERR_CONFIG_INVALID(named(`adapter.${unknown.path}`, env), `${unknownOptionProblem(unknown)} (adapter '${type}')`)
  }
}

/** With a client id, the install flow needs the secret and the public URL. */
function checkInstall (config: Config): void {
  const install = config.install
  if (install?.clientId === undefined) return
  for (const setting of ['clientSecret', 'publicUrl'] as const) {
    if (install[setting] === undefined) throw new ERR_CONFIG_INVALID(envHint(`install.${setting}`), `is required with ${envHint('install.clientId')}`)
  }
}

/** Replicas sharing counts must hash credentials alike: a random key per process would give each its own count. */
function checkSharedStore (config: Config, env: NodeJS.ProcessEnv): void {
  if (config.sharedStore !== undefined && config.hashKey === undefined) {
    throw new ERR_CONFIG_INVALID(envHint('hashKey'),
      `is required with ${named('sharedStore', env)}: every replica must hash credentials with the same key (openssl rand -hex 32)`)
  }
}

/**
 * The runtime's options from the configuration: each is the setting of the same name (`authFailures` with its
 * `enabled` switch).
 *
 * @example
 * new AdapterRuntime(adapter, runtimeOptionsOf(loadConfig({ env: process.env })))
 */
export function runtimeOptionsOf (config: Config): RuntimeOptions {
  const settings = config as Readonly<Record<string, unknown>>
  const options = Object.fromEntries(Object.keys(RuntimeOptionsSchema.properties).flatMap((key) => settings[key] === undefined ? [] : [[key, settings[key]]]))
  const { enabled, ...authFailures } = config.authFailures
  return { ...options, authFailures: enabled ? authFailures : false }
}

function checkMeaning (config: Config, env: NodeJS.ProcessEnv): void {
  // The runtime's own checks (the time zone, the portal's date format), at load rather than at serve's start.
  resolveRuntimeOptions(runtimeOptionsOf(config))
  ipRangeMatcher(config.allowIps, 'allowIps')
  checkAdapter(config, env)
  checkInstall(config)
  checkSharedStore(config, env)
  if (config.adapter.type === 'module' && config.adapter.module === undefined) {
    throw new ERR_CONFIG_INVALID('adapter.module', "is required when adapter.type is 'module'")
  }
  if (config.adapter.type === 'files' && config.adapter.directory === undefined) {
    throw new ERR_CONFIG_INVALID('adapter.directory', "is required when adapter.type is 'files'")
  }
}

/**
 * Loads the configuration: defaults, then the JSON file, then env vars (`B24BI_*` and the plain `PORT`,
 * `HOST`, `LOG_LEVEL`, `CONNECTOR_TOKEN`). A wrong setting throws `B24BI_ERR_CONFIG_INVALID` naming it.
 *
 * @example
 * const config = loadConfig({ file: 'b24bi.json', env: process.env })
 */
export function loadConfig (sources: ConfigSources = {}): Config {
  const fromFile = sources.file !== undefined ? readJsonFile(sources.file) : {}
  const merged = merge(fromFile, configFromEnv(sources.env ?? {}))
  const value = Value.Default(ConfigSchema, structuredClone(merged))
  if (!Value.Check(ConfigSchema, value)) throw firstProblem(value, sources.env ?? {})
  const config = value as Config
  checkMeaning(config, sources.env ?? {})
  return deepFreeze(config)
}
