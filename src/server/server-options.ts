import type { FastifyServerOptions } from 'fastify'
import type { ConnectorPaths } from '../protocol/endpoints.js'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import type { Adapter } from '../core/adapter.js'
import { assertAdapterShape } from '../core/adapter-shape.js'
import { ERR_CONFIG_INVALID } from '../core/errors.js'
import { RuntimeOptionsSchema } from '../runtime/runtime-options.js'
import { checkOptions, deepFreeze } from '../util/strict-options.js'
import { REDIS_KEY_PREFIX, type RedisEvalClient } from '../policy/redis-window-store.js'

/** The four endpoint paths (the connector plugin's `ConnectorPaths`; defaults in `DEFAULT_PATHS`). */
export type ServerPaths = ConnectorPaths

/** The per-credential request limit: `max` requests per `windowSeconds` for one credential set (or one address without one). */
export const RateLimitSchema = Type.Object({
  max: Type.Optional(Type.Integer({
    minimum: 1, default: 300, description: 'requests per window and credential set (or client address without one)', env: 'B24BI_RATE_LIMIT_MAX'
  })),
  windowSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 60, description: 'window length in seconds', env: 'B24BI_RATE_LIMIT_WINDOW_S' }))
}, { additionalProperties: false })

/** `@fastify/under-pressure` thresholds: a saturated process answers 503 with Retry-After; 0 turns one off. */
export const UnderPressureSchema = Type.Object({
  maxEventLoopDelayMs: Type.Optional(Type.Number({ minimum: 0, default: 0, description: 'event loop delay in milliseconds; 0 turns it off', env: 'B24BI_MAX_EVENT_LOOP_DELAY_MS' })),
  maxEventLoopUtilization: Type.Optional(Type.Number({
    minimum: 0, maximum: 1, default: 0, description: 'event loop utilization, 0..1; 0 turns it off', env: 'B24BI_MAX_EVENT_LOOP_UTILIZATION'
  })),
  maxHeapUsedBytes: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'V8 heap used, in bytes; 0 turns it off', env: 'B24BI_MAX_HEAP_USED_BYTES' })),
  maxRssBytes: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'resident set size, in bytes; 0 turns it off', env: 'B24BI_MAX_RSS_BYTES' })),
  retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, default: 10, description: 'seconds in the Retry-After header', env: 'B24BI_RETRY_AFTER_S' }))
}, { additionalProperties: false })

/** A Redis every replica shares: the rate limit and the refused authentications count there. Needs `runtime.hashKey`. */
export const SharedStoreSchema = Type.Object({
  client: Type.Unsafe<RedisEvalClient>({ description: 'an ioredis client (only its eval is used); the caller creates and quits it' }),
  prefix: Type.Optional(Type.String({ default: REDIS_KEY_PREFIX, description: 'prefix of every key', env: 'B24BI_SHARED_STORE_PREFIX' }))
}, {
  additionalProperties: false,
  description: 'the counts of the rate limit and of refused authentications in a Redis every replica shares (needs `runtime.hashKey`); default this process'
})

const Path = Type.String({ pattern: '^/' })
const Pem = Type.Unsafe<string | Buffer>({})

/** `ServerOptions` as a schema (the adapter, logger and proxy setting are checked by their owners). */
export const ServerOptionsSchema = Type.Object({
  adapter: Type.Unsafe<Adapter>({ description: 'the adapter to serve (required)' }),
  runtime: Type.Optional(RuntimeOptionsSchema),
  paths: Type.Optional(Type.Object({
    check: Type.Optional(Path),
    tableList: Type.Optional(Path),
    tableDescription: Type.Optional(Path),
    data: Type.Optional(Path)
  }, { additionalProperties: false, description: 'paths of the four endpoints; default `/api/check`, `/api/table_list`, `/api/table_description`, `/api/data`' })),
  // A limit under 1 KiB refuses the portal's own requests: such a value was meant in KiB or MiB.
  bodyLimit: Type.Optional(Type.Integer({ minimum: 1024, default: 1024 * 1024, description: 'the largest request body, in bytes', env: 'B24BI_BODY_LIMIT' })),
  logger: Type.Optional(Type.Unsafe<FastifyServerOptions['logger']>({ description: 'pino options, or false; default info level to stdout' })),
  loggerInstance: Type.Optional(Type.Unsafe<FastifyServerOptions['loggerInstance']>({ description: 'a pino instance to log with' })),
  trustProxy: Type.Optional(Type.Unsafe<FastifyServerOptions['trustProxy']>({ description: 'trust X-Forwarded-* from a reverse proxy: true, a hop count, or addresses; default false' })),
  requestTimeoutSeconds: Type.Optional(Type.Number({
    exclusiveMinimum: 0, default: 60, description: 'seconds a client may take to send a whole request', env: 'B24BI_REQUEST_TIMEOUT_S'
  })),
  helmet: Type.Optional(Type.Boolean({ default: true, description: '`@fastify/helmet` security headers' })),
  rateLimit: Type.Optional(Type.Union([Type.Literal(false), RateLimitSchema], { description: 'per-credential rate limit; default off (`b24bi serve` turns it on)' })),
  underPressure: Type.Optional(Type.Union([Type.Literal(false), UnderPressureSchema], {
    description: '503 with Retry-After when the event loop or memory is saturated; default off (`b24bi serve` turns it on)'
  })),
  // It travels in the registered URLs as ?secret=: 16 characters at least, so it is not guessed.
  sharedSecret: Type.Optional(Type.String({
    minLength: 16, description: 'every call must carry it in the header `x-b24bi-secret` or as `?secret=` in the registered URLs; default none', env: 'B24BI_SHARED_SECRET'
  })),
  allowIps: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'client address ranges (CIDR) allowed in; empty: everyone', env: 'B24BI_ALLOW_IPS' })),
  metrics: Type.Optional(Type.Union([Type.Boolean(), Type.Object({
    instance: Type.Optional(Type.String({ minLength: 1, description: "this replica's `instance` label on every series; default none" }))
  }, { additionalProperties: false })], { default: true, description: 'Prometheus `GET /metrics`' })),
  sharedStore: Type.Optional(SharedStoreSchema),
  docs: Type.Optional(Type.Boolean({ default: false, description: 'OpenAPI UI at `/docs`, from the TypeBox schemas', env: 'B24BI_DOCS' })),
  readiness: Type.Optional(Type.Object({
    cacheMs: Type.Optional(Type.Integer({ minimum: 0, default: 2000, description: 'milliseconds one `/ready` answer is reused' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, default: 3000, description: 'milliseconds the source may take to answer `/ready`' }))
  }, { additionalProperties: false })),
  tls: Type.Optional(Type.Object({ cert: Pem, key: Pem }, { additionalProperties: false, description: 'certificate and key (PEM contents): the server speaks HTTPS; default plain HTTP' }))
}, { additionalProperties: false })

/** Everything `buildServer` needs; only `adapter` is required, every default is in `ServerOptionsSchema`. */
export type ServerOptions = Static<typeof ServerOptionsSchema>
/** The per-credential rate limit's options. */
export type RateLimitOptions = Static<typeof RateLimitSchema>
/** `@fastify/under-pressure` thresholds. */
export type UnderPressureOptions = Static<typeof UnderPressureSchema>
/** The Redis replicas share their counts in. */
export type SharedStoreOptions = Static<typeof SharedStoreSchema>

/** `ServerOptions` after `resolveServerOptions`: each option with a default in the schema holds it. */
export type ResolvedServerOptions = Readonly<Omit<ServerOptions, 'rateLimit' | 'underPressure'> &
  Required<Pick<ServerOptions, 'bodyLimit' | 'requestTimeoutSeconds' | 'helmet' | 'allowIps' | 'metrics' | 'docs'>> & {
    rateLimit?: Readonly<Required<RateLimitOptions>> | false
    underPressure?: Readonly<Required<UnderPressureOptions>> | false
  }>

/** The options `resolveServerOptions` copies and fills the defaults of; the others it keeps as given. */
const PlainOptionsSchema = Type.Omit(ServerOptionsSchema, ['adapter', 'logger', 'loggerInstance', 'trustProxy', 'tls', 'sharedStore'])

/**
 * Resolves `buildServer`'s options once: an unknown key at any depth names the closest known one, a wrong value
 * names its path, and a frozen copy with the defaults applied is returned (the plain settings copied; the adapter,
 * logger, proxy setting, TLS material and the shared store's client kept as given).
 */
export function resolveServerOptions (options: ServerOptions): ResolvedServerOptions {
  if (typeof options !== 'object' || options === null) throw new ERR_CONFIG_INVALID('options', 'must be an object')
  assertAdapterShape(options.adapter, 'adapter')
  checkOptions(ServerOptionsSchema, options)
  if (options.sharedStore !== undefined && options.runtime?.hashKey === undefined) {
    throw new ERR_CONFIG_INVALID('runtime.hashKey', 'is required with sharedStore: every replica must hash credentials with the same key, or each counts apart')
  }
  const { adapter, logger, loggerInstance, trustProxy, tls, sharedStore, ...plain } = options
  return Object.freeze({
    ...deepFreeze(Value.Default(PlainOptionsSchema, structuredClone(plain)) as object),
    adapter,
    ...(sharedStore !== undefined ? { sharedStore: Object.freeze(Value.Default(SharedStoreSchema, { ...sharedStore }) as SharedStoreOptions) } : {}),
    ...(logger !== undefined ? { logger } : {}),
    ...(loggerInstance !== undefined ? { loggerInstance } : {}),
    ...(trustProxy !== undefined ? { trustProxy } : {}),
    ...(tls !== undefined ? { tls: Object.freeze({ cert: tls.cert, key: tls.key }) } : {})
  }) as ResolvedServerOptions
}
