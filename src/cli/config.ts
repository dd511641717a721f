import { readFileSync } from 'node:fs'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { ERR_CONFIG_INVALID, type B24biError } from '../core/errors.js'
import { readPortalDateFormat } from '../filter/portal-date.js'
import { ipRangeMatcher } from '../policy/ip-ranges.js'
import { TimeZone } from '../core/time-zone.js'
import { MIN_HASH_KEY_LENGTH } from '../policy/secrets.js'
import { findUnknownOption, unknownOptionProblem } from '../util/strict-options.js'
import { ADAPTER_OPTIONS, ADAPTER_TYPES } from './adapter-options.js'
import { configFromEnv, envSource } from './config-env.js'

const Seconds = (description: string, defaultValue: number) =>
  Type.Number({ exclusiveMinimum: 0, default: defaultValue, description })

/** Per-credential rate limit (`@fastify/rate-limit`, keyed by the credential hash of `connection`). */
export const RateLimitConfig = Type.Object({
  enabled: Type.Boolean({ default: true }), // default true
  max: Type.Integer({ minimum: 1, default: 300 }), // requests per window and credential set; default 300
  windowSeconds: Seconds('window length in seconds', 60) // seconds; default 60
}, { additionalProperties: false, default: {} })

/** Refused authentications per client address (and per target host in portal mode); beyond them, 429. */
export const AuthFailuresConfig = Type.Object({
  enabled: Type.Boolean({ default: true }), // default true
  max: Type.Integer({ minimum: 1, default: 60 }), // refused authentications per window and key; default 60
  windowSeconds: Seconds('window length in seconds', 60) // seconds; default 60
}, { additionalProperties: false, default: {} })

/** `@fastify/under-pressure` thresholds; 0 turns one off. Saturated: 503 with Retry-After. */
export const UnderPressureConfig = Type.Object({
  enabled: Type.Boolean({ default: true }), // default true
  maxEventLoopDelayMs: Type.Number({ minimum: 0, default: 1000 }), // milliseconds; default 1000
  maxEventLoopUtilization: Type.Number({ minimum: 0, maximum: 1, default: 0 }), // 0..1; default 0 (off)
  maxHeapUsedBytes: Type.Integer({ minimum: 0, default: 0 }), // bytes; default 0 (off)
  maxRssBytes: Type.Integer({ minimum: 0, default: 0 }), // bytes; default 0 (off)
  retryAfterSeconds: Type.Integer({ minimum: 1, default: 10 }) // seconds in Retry-After; default 10
}, { additionalProperties: false, default: {} })

/**
 * A Redis every replica shares (`redis://` or `rediss://`): the rate limit and the refused-authentication counter
 * keep their counts there, so N replicas admit what one would. Needs `hashKey`, the same on every replica.
 */
export const SharedStoreConfig = Type.Object({
  url: Type.String({ pattern: '^rediss?://', description: 'redis://host:6379/0' }),
  prefix: Type.String({ default: 'b24bi:' }) // prefix of every key; default 'b24bi:'
}, { additionalProperties: false })

/** Certificate and key files (PEM): the server terminates HTTPS itself. */
export const TlsConfig = Type.Object({
  cert: Type.String({ minLength: 1, description: 'path of the PEM certificate (chain)' }),
  key: Type.String({ minLength: 1, description: 'path of the PEM private key' })
}, { additionalProperties: false })

/**
 * Which adapter `b24bi serve` runs. `demo` (the embedded data set), `files` (a folder of CSV/Parquet/JSON
 * through DuckDB), a built-in SQL adapter by name (`postgres`, `mysql`, `sqlite`, `clickhouse`, `http`), or
 * `module` with `module` set to a package name or file path. Other keys are the adapter's options.
 */
export const AdapterConfig = Type.Object({
  type: Type.String({ minLength: 1, default: 'demo' }), // default 'demo'
  module: Type.Optional(Type.String({ minLength: 1 })), // only for type 'module'
  token: Type.Optional(Type.String({ minLength: 1 })), // demo and files: the `token` setting; default CONNECTOR_TOKEN
  tokens: Type.Optional(Type.Array(Type.String({ minLength: 1 }))), // more tokens accepted (a rotation); default CONNECTOR_TOKENS
  directory: Type.Optional(Type.String({ minLength: 1 })) // files: the folder served
}, { additionalProperties: true, default: {} })

/**
 * The install flow of a Bitrix24 local application (routes /bitrix24/install and /bitrix24/events); on when
 * `clientId` is set, which then needs `clientSecret` and `publicUrl`.
 */
export const InstallConfig = Type.Object({
  clientId: Type.Optional(Type.String({ minLength: 1 })), // the local application's client id
  clientSecret: Type.Optional(Type.String({ minLength: 1 })), // its client secret
  publicUrl: Type.Optional(Type.String({ minLength: 1 })), // the https base URL the portal reaches the connector at
  title: Type.Optional(Type.String({ minLength: 1 })), // the connector's title; default 'b24bi connector'
  description: Type.Optional(Type.String()),
  logo: Type.Optional(Type.String({ minLength: 1 })), // a data: URL or https URL of the logo
  sort: Type.Optional(Type.Integer()),
  supportMapping: Type.Optional(Type.Boolean()),
  tokenStore: Type.Optional(Type.String({ minLength: 1 })), // file:<path> (default .b24bi/tokens.json), postgres://..., redis://...
  singleInstance: Type.Optional(Type.Boolean()), // this connector runs as ONE replica: the file token store is then allowed; default false
  oauthServer: Type.Optional(Type.String({ minLength: 1 })), // default the vendor's OAuth server
  oauthRestServer: Type.Optional(Type.String({ minLength: 1 })), // app.info proves install events; default https://oauth.bitrix.info/rest/
  portals: Type.Optional(Type.Array(Type.String({ minLength: 1 }))), // portal domains accepted (*.example.com allowed); default every public host
  portalHosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }))), // addresses/CIDR/names a portal may resolve to although private or loopback; default none
  portalHttp: Type.Optional(Type.Boolean()), // a portal on loopback is called over http (local tests only); default false
  appConnection: Type.Optional(Type.Record(Type.String(), Type.String())), // settings the app page reads tables with (server side)
  syncTables: Type.Optional(Type.Object({ // create the portal tables on install
    source: Type.Object({
      title: Type.String({ minLength: 1 }), // the source found or added
      settings: Type.Record(Type.String(), Type.String(), { default: {} }) // its settings values
    }, { additionalProperties: false }),
    prefix: Type.Optional(Type.String({ minLength: 1 }))
  }, { additionalProperties: false }))
}, { additionalProperties: false })

/** The whole configuration of `b24bi serve`: every key optional, every default here. */
export const ConfigSchema = Type.Object({
  $schema: Type.Optional(Type.String()), // the JSON Schema an editor checks the file with (b24bi config schema)
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }), // default 3000
  host: Type.String({ minLength: 1, default: '0.0.0.0' }), // default '0.0.0.0'
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)), { default: 'info' }),
  timeZone: Type.String({ minLength: 1, default: 'UTC' }), // IANA zone; default 'UTC'
  datetimeFormat: Type.Union([Type.Literal('Y-m-d H:i:s'), Type.Literal('iso')], { default: 'Y-m-d H:i:s' }),
  portalDateFormat: Type.Optional(Type.String({ minLength: 1 })), // the portal's site date format, e.g. 'MM/DD/YYYY H:MI:SS T'; default none
  deadlineSeconds: Seconds('seconds an urlData answer may take', 55), // seconds; default 55 (the portal stops a transfer at 60)
  maxAnswerMegabytes: Type.Number({ exclusiveMinimum: 0, default: 256 }), // MiB; a larger answer is logged as a warning; default 256
  maxRows: Type.Optional(Type.Integer({ minimum: 1 })), // rows per urlData answer; default: no maximum
  authCacheSeconds: Type.Number({ minimum: 0, default: 60 }), // seconds; 0 = off; default 60
  concurrentReadsPerCredential: Type.Integer({ minimum: 1, default: 2 }), // urlData answers in progress per credential set; beyond: 429; default 2
  concurrentReads: Type.Integer({ minimum: 1, default: 64 }), // urlData answers in progress in all (never above the adapter's pools); beyond: 503; default 64
  stallSeconds: Seconds('seconds an answer may wait on a client that reads nothing', 30), // seconds; then the answer is cut and its query cancelled; default 30
  bodyLimit: Type.Integer({ minimum: 1024, default: 1024 * 1024 }), // bytes; default 1 MiB
  requestTimeoutSeconds: Seconds('seconds to receive a whole request', 60), // seconds; default 60
  drainSeconds: Type.Number({ minimum: 0, default: 10 }), // seconds /ready fails on SIGTERM before the listener closes; default 10
  shutdownGraceSeconds: Seconds('seconds in-flight answers get after the drain; raised to deadlineSeconds when lower', 60), // seconds; default 60
  rateLimit: RateLimitConfig,
  authFailures: AuthFailuresConfig,
  sharedStore: Type.Optional(SharedStoreConfig),
  hashKey: Type.Optional(Type.String({ minLength: MIN_HASH_KEY_LENGTH })), // the credential-hash HMAC key, the same on every replica; default random per process
  underPressure: UnderPressureConfig,
  sharedSecret: Type.Optional(Type.String({ minLength: 16 })), // header x-b24bi-secret or query `secret`; default none
  allowIps: Type.Array(Type.String({ minLength: 1 }), { default: [] }), // CIDR list; default [] (everyone)
  trustProxy: Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 }), Type.Array(Type.String())], { default: false }),
  tls: Type.Optional(TlsConfig),
  metrics: Type.Boolean({ default: true }), // GET /metrics; default true
  instance: Type.Optional(Type.String({ minLength: 1 })), // the metrics' instance label; default <host name>:<port>
  docs: Type.Boolean({ default: false }), // GET /docs (OpenAPI UI); default false
  install: Type.Optional(InstallConfig),
  adapter: AdapterConfig
}, { additionalProperties: false })

/** The validated, defaulted, frozen configuration. */
export type Config = Static<typeof ConfigSchema>

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
  const problem = describeProblem(value)
  const name = problem[0]
  const from = envSource(name, env)
  return new ERR_CONFIG_INVALID(from === undefined ? name : `${name} (from ${from})`, problem[1])
}

function describeProblem (value: unknown): [setting: string, problem: string] {
  const unknown = findUnknownOption(ConfigSchema, value)
  if (unknown !== undefined) return [unknown.path, unknownOptionProblem(unknown).replace('known option', 'known setting')]
  const errors = [...Value.Errors(ConfigSchema, value)]
  const first = errors.find((error) => error.keyword !== 'anyOf') ?? errors[0]
  const path = first?.instancePath.slice(1).replaceAll('/', '.') ?? ''
  const allowed = errors.filter((error) => error.keyword === 'const' && error.instancePath === first?.instancePath)
    .map((error) => `'${String((error.params as { allowedValue?: unknown }).allowedValue)}'`)
  if (allowed.length > 0) return [path, `must be one of ${allowed.join(', ')}`]
  return [path === '' ? 'config' : path, first?.message ?? 'is invalid']
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
  if (install.clientSecret === undefined) throw new ERR_CONFIG_INVALID('install.clientSecret (B24BI_CLIENT_SECRET)', 'is required with install.clientId (B24BI_CLIENT_ID)')
  if (install.publicUrl === undefined) throw new ERR_CONFIG_INVALID('install.publicUrl (B24BI_PUBLIC_URL)', 'is required with install.clientId (B24BI_CLIENT_ID)')
}

/** Replicas sharing counts must hash credentials alike: a random key per process would give each its own count. */
function checkSharedStore (config: Config, env: NodeJS.ProcessEnv): void {
  if (config.sharedStore !== undefined && config.hashKey === undefined) {
    throw new ERR_CONFIG_INVALID('hashKey (B24BI_HASH_KEY)',
      `is required with ${named('sharedStore', env)}: every replica must hash credentials with the same key (openssl rand -hex 32)`)
  }
}

function checkMeaning (config: Config, env: NodeJS.ProcessEnv): void {
  try {
    void new TimeZone(config.timeZone)
  } catch (error) {
    throw new ERR_CONFIG_INVALID('timeZone', `'${config.timeZone}' is not an IANA time zone`, { cause: error })
  }
  readPortalDateFormat(config.portalDateFormat)
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

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
