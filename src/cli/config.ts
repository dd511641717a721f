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

/** Per-credential rate limit (keyed by the credential hash of `connection`). */
export const RateLimitConfig = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'the per-credential rate limit is on' }),
  max: Type.Integer({ minimum: 1, default: 300, description: 'requests per window and credential set (or client address without one)' }),
  windowSeconds: Seconds('window length in seconds', 60)
}, { additionalProperties: false, default: {} })

/** Refused authentications per client address (and per target host in portal mode); beyond them, 429. */
export const AuthFailuresConfig = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'refused authentications are counted; beyond max, 429 `B24BI_ERR_AUTH_THROTTLED`' }),
  max: Type.Integer({ minimum: 1, default: 60, description: 'refused authentications per window, per client address (and per target host in portal mode)' }),
  windowSeconds: Seconds('window length in seconds', 60)
}, { additionalProperties: false, default: {} })

/** `@fastify/under-pressure` thresholds; 0 turns one off. Saturated: 503 with Retry-After. */
export const UnderPressureConfig = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'a saturated process answers 503 with Retry-After' }),
  maxEventLoopDelayMs: Type.Number({ minimum: 0, default: 1000, description: 'event loop delay in milliseconds; 0 turns it off' }),
  maxEventLoopUtilization: Type.Number({ minimum: 0, maximum: 1, default: 0, description: 'event loop utilization, 0..1; 0 turns it off' }),
  maxHeapUsedBytes: Type.Integer({ minimum: 0, default: 0, description: 'V8 heap used, in bytes; 0 turns it off' }),
  maxRssBytes: Type.Integer({ minimum: 0, default: 0, description: 'resident set size, in bytes; 0 turns it off' }),
  retryAfterSeconds: Type.Integer({ minimum: 1, default: 10, description: 'seconds in the Retry-After header' })
}, { additionalProperties: false, default: {} })

/**
 * A Redis every replica shares (`redis://` or `rediss://`): the rate limit and the refused-authentication counter
 * keep their counts there, so N replicas admit what one would. Needs `hashKey`, the same on every replica.
 */
export const SharedStoreConfig = Type.Object({
  url: Type.String({ pattern: '^rediss?://', description: 'a Redis every replica shares: one rate limit and one refused-login count for all (if it fails, the limits let calls through and log it); needs hashKey' }),
  prefix: Type.String({ default: 'b24bi:', description: 'prefix of every key' })
}, { additionalProperties: false })

/** Certificate and key files (PEM): the server terminates HTTPS itself. */
export const TlsConfig = Type.Object({
  cert: Type.String({ minLength: 1, description: 'path of the PEM certificate (chain): the server speaks HTTPS itself' }),
  key: Type.String({ minLength: 1, description: 'path of the PEM private key' })
}, { additionalProperties: false })

/**
 * Which adapter `b24bi serve` runs. `demo` (the embedded data set), `files` (a folder of CSV/Parquet/JSON
 * through DuckDB), a built-in SQL adapter by name (`postgres`, `mysql`, `sqlite`, `clickhouse`, `http`), or
 * `module` with `module` set to a package name or file path. Other keys are the adapter's options.
 */
export const AdapterConfig = Type.Object({
  type: Type.String({ minLength: 1, default: 'demo', description: 'demo, files, postgres, mysql, sqlite, clickhouse, http or module' }),
  module: Type.Optional(Type.String({ minLength: 1, description: "type 'module': a package name or a file path (relative to the working directory)" })),
  token: Type.Optional(Type.String({ minLength: 1, description: 'the value the portal must send as the `token` setting (the demo accepts `demo` without one, with a warning)' })),
  tokens: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'more tokens accepted beside `token`: rotate without downtime' })),
  directory: Type.Optional(Type.String({ minLength: 1, description: "type 'files': the folder served" }))
}, { additionalProperties: true, default: {}, description: "the adapter's options as one object: `type` and that adapter's own keys" })

/**
 * The install flow of a Bitrix24 local application (routes /bitrix24/install and /bitrix24/events); on when
 * `clientId` is set, which then needs `clientSecret` and `publicUrl`.
 */
export const InstallConfig = Type.Object({
  clientId: Type.Optional(Type.String({ minLength: 1, description: "the local application's client id: turns the install flow on" })),
  clientSecret: Type.Optional(Type.String({ minLength: 1, description: "the application's client secret (also signs the app page's sessions)" })),
  publicUrl: Type.Optional(Type.String({ minLength: 1, description: 'the https base URL the portal reaches the connector at' })),
  title: Type.Optional(Type.String({ minLength: 1, description: "the connector's title in the portal; default 'b24bi connector'" })),
  description: Type.Optional(Type.String({ description: "the connector's description in the portal" })),
  logo: Type.Optional(Type.String({ minLength: 1, description: 'a data: URL or https URL of the logo' })),
  sort: Type.Optional(Type.Integer({ description: "the connector's sort order in the portal" })),
  supportMapping: Type.Optional(Type.Boolean({ description: 'register with supportMapping (sent whenever the portal knows it unless false)' })),
  tokenStore: Type.Optional(Type.String({ minLength: 1, description: "where the portals' tokens live: postgres://…, redis://… (shared by replicas) or file:<path> (one replica; default file:.b24bi/tokens.json)" })),
  singleInstance: Type.Optional(Type.Boolean({ description: 'this connector runs as one replica: the file token store is then allowed; default false' })),
  oauthServer: Type.Optional(Type.String({ minLength: 1, description: "the token endpoint that renews portals' tokens; default https://oauth.bitrix.info/oauth/token/" })),
  oauthRestServer: Type.Optional(Type.String({ minLength: 1, description: 'where app.info proves install events; default https://oauth.bitrix.info/rest/' })),
  portals: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'portal domains accepted (`*.bitrix24.com` style); default every public host' })),
  portalHosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'addresses, networks or names a portal inside the network may resolve to although private or loopback; default none' })),
  portalHttp: Type.Optional(Type.Boolean({ description: 'a portal on loopback is called over http (local tests only); default false' })),
  appConnection: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "the connection settings the app page reads tables and runs its test with, e.g. {\"token\":\"…\"}; kept on the server; default the demo's token" })),
  syncTables: Type.Optional(Type.Object({
    source: Type.Object({
      title: Type.String({ minLength: 1, description: 'on install, the source of this title is found or added and its portal tables created' }),
      settings: Type.Record(Type.String(), Type.String(), { default: {}, description: "that source's connection settings" })
    }, { additionalProperties: false }),
    prefix: Type.Optional(Type.String({ minLength: 1, description: 'prefix of the new portal table names' }))
  }, { additionalProperties: false, description: 'create the portal tables on install' }))
}, { additionalProperties: false })

/** The whole configuration of `b24bi serve`: every key optional, every default here. */
export const ConfigSchema = Type.Object({
  $schema: Type.Optional(Type.String({ description: 'the JSON Schema an editor checks the file with (b24bi config schema)' })),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'the port to listen on' }),
  host: Type.String({ minLength: 1, default: '0.0.0.0', description: 'the address to listen on' }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)), { default: 'info', description: 'pino log level' }),
  timeZone: Type.String({ minLength: 1, default: 'UTC', description: 'IANA zone datetimes of zone-aware sources are shown in, and filter values are read in' }),
  datetimeFormat: Type.Union([Type.Literal('Y-m-d H:i:s'), Type.Literal('iso')], { default: 'Y-m-d H:i:s', description: 'how datetimes are written' }),
  portalDateFormat: Type.Optional(Type.String({ minLength: 1, description: 'the portal\'s site date format (`DD.MM.YYYY`, `MM/DD/YYYY`, `DD/MM/YYYY`, `YYYY-MM-DD`, optionally with `HH:MI:SS` or `H:MI:SS T`): decides filter dates like `05/06/2025`; without it such a date is a 400' })),
  deadlineSeconds: Seconds('seconds an urlData answer may take, from the request to the last byte (the portal stops a transfer at 60 s)', 55),
  maxAnswerMegabytes: Type.Number({ exclusiveMinimum: 0, default: 256, description: 'an answer larger than this many MiB is logged as a warning (the portal holds it in memory as one string)' }),
  maxRows: Type.Optional(Type.Integer({ minimum: 1, description: 'the most rows one urlData answer may hold; a longer answer fails, never cut short; default no maximum' })),
  authCacheSeconds: Type.Number({ minimum: 0, default: 60, description: 'seconds a proven credential set is trusted on a replica (at most 10,000 sets); then the adapter checks again; 0 turns the cache off' }),
  concurrentReadsPerCredential: Type.Integer({ minimum: 1, default: 2, description: 'urlData answers in progress per credential set; one more is a 429 `B24BI_ERR_READS_LIMITED` with Retry-After' }),
  concurrentReads: Type.Integer({ minimum: 1, default: 64, description: 'urlData answers in progress in all, never above the adapter\'s pools; one more is a 503 `B24BI_ERR_OVERLOADED`' }),
  stallSeconds: Seconds('seconds an answer may wait on a client that reads nothing; then it is cut and its query cancelled', 30),
  bodyLimit: Type.Integer({ minimum: 1024, default: 1024 * 1024, description: 'the largest request body, in bytes' }),
  requestTimeoutSeconds: Seconds('seconds a client may take to send a whole request', 60),
  drainSeconds: Type.Number({ minimum: 0, default: 10, description: 'seconds /ready answers 503 `draining` after SIGTERM before the listener closes' }),
  shutdownGraceSeconds: Seconds('seconds in-flight answers get after the drain; raised to deadlineSeconds when lower', 60),
  rateLimit: RateLimitConfig,
  authFailures: AuthFailuresConfig,
  sharedStore: Type.Optional(SharedStoreConfig),
  hashKey: Type.Optional(Type.String({ minLength: MIN_HASH_KEY_LENGTH, description: 'the HMAC key of credential hashes, the same on every replica; required with sharedStore; default random per process' })),
  underPressure: UnderPressureConfig,
  sharedSecret: Type.Optional(Type.String({ minLength: 16, description: 'every call must carry it in the header `x-b24bi-secret` or as `?secret=` in the registered URLs' })),
  allowIps: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'client address ranges (CIDR) allowed in; empty: everyone' }),
  trustProxy: Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 }), Type.Array(Type.String())], { default: false, description: 'trust X-Forwarded-* from a reverse proxy: true, a hop count, or addresses' }),
  tls: Type.Optional(TlsConfig),
  metrics: Type.Boolean({ default: true, description: 'Prometheus `GET /metrics`' }),
  instance: Type.Optional(Type.String({ minLength: 1, description: 'the `instance` label on every metric; default `<host name>:<port>`' })),
  docs: Type.Boolean({ default: false, description: 'OpenAPI UI at `/docs`, from the TypeBox schemas' }),
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
