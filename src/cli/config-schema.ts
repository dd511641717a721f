import { Type, type Static } from 'typebox'
import { AuthFailuresSchema, RuntimeOptionsSchema } from '../runtime/runtime-options.js'
import { RateLimitSchema, ServerOptionsSchema, SharedStoreSchema, UnderPressureSchema } from '../server/server-options.js'

// The settings `b24bi serve` shares with the library are the library's own schemas (type, default, description
// and env var, declared once); only serve's own settings are declared here. Each `env` names the variable that
// sets the setting (with a list, the first one set wins); config-env.ts reads them from this schema.

/** The runtime's options that have a default: settings of the same name, required once the defaults are applied. */
const runtime = Type.Required(Type.Pick(RuntimeOptionsSchema, [
  'timeZone', 'datetimeFormat', 'deadlineSeconds', 'maxAnswerMegabytes', 'authCacheSeconds', 'concurrentReadsPerCredential', 'concurrentReads', 'stallSeconds'
])).properties
/** The runtime's options without a default. */
const optionalRuntime = Type.Pick(RuntimeOptionsSchema, ['portalDateFormat', 'maxRows', 'hashKey']).properties
/** `buildServer`'s plain options. */
const server = Type.Required(Type.Pick(ServerOptionsSchema, ['bodyLimit', 'requestTimeoutSeconds', 'allowIps', 'docs'])).properties

/** A limit the library leaves off and serve turns on: the library's options, and `enabled` to turn it off. */
const on = (description: string, env: string) => Type.Boolean({ default: true, description, env })

/** Per-credential rate limit (keyed by the credential hash of `connection`). */
const RateLimitConfig = Type.Object({
  enabled: on('the per-credential rate limit is on', 'B24BI_RATE_LIMIT'),
  ...Type.Required(RateLimitSchema).properties
}, { additionalProperties: false, default: {} })

/** Refused authentications per client address (and per target host in portal mode); beyond them, 429. */
const AuthFailuresConfig = Type.Object({
  enabled: on('refused authentications are counted; beyond max, 429 `B24BI_ERR_AUTH_THROTTLED`', 'B24BI_AUTH_FAILURES'),
  ...Type.Required(AuthFailuresSchema).properties
}, { additionalProperties: false, default: {} })

const pressure = Type.Required(UnderPressureSchema).properties

/** `@fastify/under-pressure` thresholds; 0 turns one off. Saturated: 503 with Retry-After. */
const UnderPressureConfig = Type.Object({
  enabled: on('a saturated process answers 503 with Retry-After', 'B24BI_UNDER_PRESSURE'),
  ...pressure,
  // The server serve runs checks the event loop: a delay of a second means it is saturated.
  maxEventLoopDelayMs: Type.With(pressure.maxEventLoopDelayMs, { default: 1000 })
}, { additionalProperties: false, default: {} })

/**
 * A Redis every replica shares (`redis://` or `rediss://`): the rate limit and the refused-authentication counter
 * keep their counts there, so N replicas admit what one would. Needs `hashKey`, the same on every replica.
 */
const SharedStoreConfig = Type.Object({
  url: Type.String({
    pattern: '^rediss?://',
    description: 'a Redis every replica shares: one rate limit and one refused-login count for all (if it fails, the limits let calls through and log it); needs hashKey',
    env: 'B24BI_SHARED_STORE'
  }),
  prefix: Type.Required(SharedStoreSchema).properties.prefix
}, { additionalProperties: false })

/** Certificate and key files (PEM): the server terminates HTTPS itself. */
const TlsConfig = Type.Object({
  cert: Type.String({ minLength: 1, description: 'path of the PEM certificate (chain): the server speaks HTTPS itself', env: 'B24BI_TLS_CERT' }),
  key: Type.String({ minLength: 1, description: 'path of the PEM private key', env: 'B24BI_TLS_KEY' })
}, { additionalProperties: false })

/**
 * Which adapter `b24bi serve` runs. `demo` (the embedded data set), `files` (a folder of CSV/Parquet/JSON
 * through DuckDB), a built-in SQL adapter by name (`postgres`, `mysql`, `sqlite`, `clickhouse`, `http`), or
 * `module` with `module` set to a package name or file path. Other keys are the adapter's options.
 */
const AdapterConfig = Type.Object({
  type: Type.String({ minLength: 1, default: 'demo', description: 'demo, files, postgres, mysql, sqlite, clickhouse, http or module', env: 'B24BI_ADAPTER' }),
  module: Type.Optional(Type.String({ minLength: 1, description: "type 'module': a package name or a file path (relative to the working directory)", env: 'B24BI_ADAPTER_MODULE' })),
  token: Type.Optional(Type.String({
    minLength: 1, description: 'the value the portal must send as the `token` setting (the demo accepts `demo` without one, with a warning)', env: 'CONNECTOR_TOKEN'
  })),
  tokens: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'more tokens accepted beside `token`: rotate without downtime', env: 'CONNECTOR_TOKENS' })),
  directory: Type.Optional(Type.String({ minLength: 1, description: "type 'files': the folder served", env: 'B24BI_FILES_DIRECTORY' }))
}, { additionalProperties: true, default: {}, description: "the adapter's options as one object: `type` and that adapter's own keys", env: 'B24BI_ADAPTER_OPTIONS' })

/**
 * The install flow of a Bitrix24 local application (routes /bitrix24/install and /bitrix24/events); on when
 * `clientId` is set, which then needs `clientSecret` and `publicUrl`.
 */
const InstallConfig = Type.Object({
  clientId: Type.Optional(Type.String({ minLength: 1, description: "the local application's client id: turns the install flow on", env: 'B24BI_CLIENT_ID' })),
  clientSecret: Type.Optional(Type.String({ minLength: 1, description: "the application's client secret (also signs the app page's sessions)", env: 'B24BI_CLIENT_SECRET' })),
  publicUrl: Type.Optional(Type.String({ minLength: 1, description: 'the https base URL the portal reaches the connector at', env: 'B24BI_PUBLIC_URL' })),
  title: Type.Optional(Type.String({ minLength: 1, description: "the connector's title in the portal; default 'b24bi connector'", env: 'B24BI_CONNECTOR_TITLE' })),
  description: Type.Optional(Type.String({ description: "the connector's description in the portal" })),
  logo: Type.Optional(Type.String({ minLength: 1, description: 'a data: URL or https URL of the logo' })),
  sort: Type.Optional(Type.Integer({ description: "the connector's sort order in the portal" })),
  supportMapping: Type.Optional(Type.Boolean({ description: 'register with supportMapping (sent whenever the portal knows it unless false)' })),
  tokenStore: Type.Optional(Type.String({
    minLength: 1,
    description: "where the portals' tokens live: postgres://…, redis://… (shared by replicas) or file:<path> (one replica; default file:.b24bi/tokens.json)",
    env: 'B24BI_TOKEN_STORE'
  })),
  singleInstance: Type.Optional(Type.Boolean({ description: 'this connector runs as one replica: the file token store is then allowed; default false', env: 'B24BI_SINGLE_INSTANCE' })),
  oauthServer: Type.Optional(Type.String({
    minLength: 1, description: "the token endpoint that renews portals' tokens; default https://oauth.bitrix.info/oauth/token/", env: 'B24BI_OAUTH_SERVER'
  })),
  oauthRestServer: Type.Optional(Type.String({ minLength: 1, description: 'where app.info proves install events; default https://oauth.bitrix.info/rest/', env: 'B24BI_OAUTH_REST_SERVER' })),
  portals: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'portal domains accepted (`*.bitrix24.com` style); default every public host', env: 'B24BI_PORTALS' })),
  portalHosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }), {
    description: 'addresses, networks or names a portal inside the network may resolve to although private or loopback; default none', env: 'B24BI_PORTAL_HOSTS'
  })),
  portalHttp: Type.Optional(Type.Boolean({ description: 'a portal on loopback is called over http (local tests only); default false', env: 'B24BI_PORTAL_HTTP' })),
  appConnection: Type.Optional(Type.Record(Type.String(), Type.String(), {
    description: "the connection settings the app page reads tables and runs its test with, e.g. {\"token\":\"…\"}; kept on the server; default the demo's token",
    env: 'B24BI_APP_CONNECTION'
  })),
  syncTables: Type.Optional(Type.Object({
    source: Type.Object({
      title: Type.String({ minLength: 1, description: 'on install, the source of this title is found or added and its portal tables created', env: 'B24BI_SYNC_TABLES_SOURCE' }),
      settings: Type.Record(Type.String(), Type.String(), { default: {}, description: "that source's connection settings", env: 'B24BI_SYNC_TABLES_SETTINGS' })
    }, { additionalProperties: false }),
    prefix: Type.Optional(Type.String({ minLength: 1, description: 'prefix of the new portal table names', env: 'B24BI_SYNC_TABLES_PREFIX' }))
  }, { additionalProperties: false, description: 'create the portal tables on install' }))
}, { additionalProperties: false })

/** The whole configuration of `b24bi serve`: every key optional, every default here or in the library's schemas. */
export const ConfigSchema = Type.Object({
  $schema: Type.Optional(Type.String({ description: 'the JSON Schema an editor checks the file with (b24bi config schema)' })),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'the port to listen on', env: ['B24BI_PORT', 'PORT'] }),
  host: Type.String({ minLength: 1, default: '0.0.0.0', description: 'the address to listen on', env: ['B24BI_HOST', 'HOST'] }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)), {
    default: 'info', description: 'pino log level', env: ['B24BI_LOG_LEVEL', 'LOG_LEVEL']
  }),
  timeZone: runtime.timeZone,
  datetimeFormat: runtime.datetimeFormat,
  portalDateFormat: optionalRuntime.portalDateFormat,
  deadlineSeconds: runtime.deadlineSeconds,
  maxAnswerMegabytes: runtime.maxAnswerMegabytes,
  maxRows: optionalRuntime.maxRows,
  authCacheSeconds: runtime.authCacheSeconds,
  concurrentReadsPerCredential: runtime.concurrentReadsPerCredential,
  concurrentReads: runtime.concurrentReads,
  stallSeconds: runtime.stallSeconds,
  bodyLimit: server.bodyLimit,
  requestTimeoutSeconds: server.requestTimeoutSeconds,
  drainSeconds: Type.Number({ minimum: 0, default: 10, description: 'seconds /ready answers 503 `draining` after SIGTERM before the listener closes', env: 'B24BI_DRAIN_S' }),
  shutdownGraceSeconds: Type.Number({
    exclusiveMinimum: 0, default: 60, description: 'seconds in-flight answers get after the drain; raised to deadlineSeconds when lower', env: 'B24BI_SHUTDOWN_GRACE_S'
  }),
  rateLimit: RateLimitConfig,
  authFailures: AuthFailuresConfig,
  sharedStore: Type.Optional(SharedStoreConfig),
  hashKey: optionalRuntime.hashKey,
  underPressure: UnderPressureConfig,
  sharedSecret: Type.Pick(ServerOptionsSchema, ['sharedSecret']).properties.sharedSecret,
  allowIps: server.allowIps,
  // A JSON form of Fastify's trustProxy (which also takes a function).
  trustProxy: Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 }), Type.Array(Type.String())], {
    default: false, description: 'trust X-Forwarded-* from a reverse proxy: true, a hop count, or addresses', env: 'B24BI_TRUST_PROXY'
  }),
  tls: Type.Optional(TlsConfig),
  metrics: Type.Boolean({ default: true, description: 'Prometheus `GET /metrics`', env: 'B24BI_METRICS' }),
  instance: Type.Optional(Type.String({ minLength: 1, description: 'the `instance` label on every metric; default `<host name>:<port>`', env: 'B24BI_INSTANCE' })),
  docs: server.docs,
  install: Type.Optional(InstallConfig),
  adapter: AdapterConfig
}, { additionalProperties: false })

/** The validated, defaulted, frozen configuration. */
export type Config = Static<typeof ConfigSchema>
