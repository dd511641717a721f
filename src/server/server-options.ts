import type { FastifyServerOptions } from 'fastify'
import type { ConnectorPaths } from '../protocol/endpoints.js'
import { Type } from 'typebox'
import type { Adapter } from '../core/adapter.js'
import { assertAdapterShape } from '../core/adapter-shape.js'
import { ERR_CONFIG_INVALID } from '../core/errors.js'
import { RuntimeOptionsSchema, type RuntimeOptions } from '../runtime/runtime-options.js'
import { checkOptions } from '../util/strict-options.js'
import type { RedisEvalClient } from '../policy/redis-window-store.js'

/** The four endpoint paths (the connector plugin's `ConnectorPaths`; defaults in `DEFAULT_PATHS`). */
export type ServerPaths = ConnectorPaths

/** Per-credential rate limit: `max` requests per `windowSeconds` for one credential set (or one IP without one). */
export interface RateLimitOptions {
  max: number // requests per window
  windowSeconds: number // seconds
}

/**
 * A Redis every replica shares: the rate limit and the refused-authentication counter keep their counts there,
 * so N replicas behind a balancer admit what one would. Needs `runtime.hashKey`, the same on every replica.
 */
export interface SharedStoreOptions {
  /** An `ioredis` client (the caller creates and quits it); only its `eval` is used. */
  client: RedisEvalClient
  /** Prefix of every key. Default `b24bi:`. */
  prefix?: string
}

/** `@fastify/under-pressure` thresholds; 0 or absent turns one off. */
export interface UnderPressureOptions {
  maxEventLoopDelayMs?: number // milliseconds
  maxEventLoopUtilization?: number // 0..1
  maxHeapUsedBytes?: number // bytes
  maxRssBytes?: number // bytes
  retryAfterSeconds?: number // seconds in Retry-After; default 10
}

/** Everything `buildServer` needs. Only `adapter` is required. */
export interface ServerOptions {
  adapter: Adapter
  runtime?: RuntimeOptions
  paths?: Partial<ServerPaths>
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number
  /** pino options, a pino instance (`loggerInstance`), or false. Default: info level to stdout. */
  logger?: FastifyServerOptions['logger']
  loggerInstance?: FastifyServerOptions['loggerInstance']
  /** Trust X-Forwarded-* from a reverse proxy (true, hop count, or addresses). Default false. */
  trustProxy?: FastifyServerOptions['trustProxy']
  /** Seconds a client may take to send a whole request. Default 60. */
  requestTimeoutSeconds?: number
  /** `@fastify/helmet` security headers. Default true. */
  helmet?: boolean
  /** Per-credential rate limit. Default: off (`b24bi serve` turns it on from its config). */
  rateLimit?: RateLimitOptions | false
  /** Counts of the rate limit and of refused authentications in a Redis every replica shares. Default: this process. */
  sharedStore?: SharedStoreOptions
  /** 503 with Retry-After when the event loop or memory is saturated. Default: off (`b24bi serve` turns it on). */
  underPressure?: UnderPressureOptions | false
  /** Header `x-b24bi-secret` or query `secret` every request must carry. Default: none. */
  sharedSecret?: string
  /** Allowed client ranges (CIDR). Default: everyone. */
  allowIps?: readonly string[]
  /**
   * Prometheus `GET /metrics`. Default true. `instance` labels every series with this replica's name (default: no
   * label; `b24bi serve` sets `<host name>:<port>`).
   */
  metrics?: boolean | { instance?: string }
  /** OpenAPI UI at `/docs`. Default false. */
  docs?: boolean
  /** `/ready`: how long one answer is reused and how long the source may take. Default `{ cacheMs: 2000, timeoutMs: 3000 }`. */
  readiness?: { cacheMs?: number, timeoutMs?: number }
  /** Certificate and key (PEM contents): the server speaks HTTPS. Default: plain HTTP. */
  tls?: { cert: string | Buffer, key: string | Buffer }
}

/** Defaults of `ServerOptions`, with units. */
export const SERVER_DEFAULTS = Object.freeze({
  bodyLimit: 1024 * 1024, // bytes
  requestTimeoutSeconds: 60, // seconds
  retryAfterSeconds: 10 // seconds
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
  bodyLimit: Type.Optional(Type.Integer({ minimum: 1, default: SERVER_DEFAULTS.bodyLimit, description: 'the largest request body, in bytes' })),
  logger: Type.Optional(Type.Unsafe<FastifyServerOptions['logger']>({ description: 'pino options, or false; default info level to stdout' })),
  loggerInstance: Type.Optional(Type.Unsafe<FastifyServerOptions['loggerInstance']>({ description: 'a pino instance to log with' })),
  trustProxy: Type.Optional(Type.Unsafe<FastifyServerOptions['trustProxy']>({ description: 'trust X-Forwarded-* from a reverse proxy: true, a hop count, or addresses; default false' })),
  requestTimeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: SERVER_DEFAULTS.requestTimeoutSeconds, description: 'seconds a client may take to send a whole request' })),
  helmet: Type.Optional(Type.Boolean({ default: true, description: '`@fastify/helmet` security headers' })),
  rateLimit: Type.Optional(Type.Union([Type.Literal(false), Type.Object({
    max: Type.Integer({ minimum: 1, description: 'requests per window and credential set' }),
    windowSeconds: Type.Number({ exclusiveMinimum: 0, description: 'window length in seconds' })
  }, { additionalProperties: false })], { description: 'per-credential rate limit; default off (`b24bi serve` turns it on)' })),
  underPressure: Type.Optional(Type.Union([Type.Literal(false), Type.Object({
    maxEventLoopDelayMs: Type.Optional(Type.Number({ minimum: 0, description: 'event loop delay in milliseconds; 0 or absent: off' })),
    maxEventLoopUtilization: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'event loop utilization, 0..1; 0 or absent: off' })),
    maxHeapUsedBytes: Type.Optional(Type.Number({ minimum: 0, description: 'V8 heap used, in bytes; 0 or absent: off' })),
    maxRssBytes: Type.Optional(Type.Number({ minimum: 0, description: 'resident set size, in bytes; 0 or absent: off' })),
    retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, default: SERVER_DEFAULTS.retryAfterSeconds, description: 'seconds in the Retry-After header' }))
  }, { additionalProperties: false })], { description: '503 with Retry-After when the event loop or memory is saturated; default off (`b24bi serve` turns it on)' })),
  sharedSecret: Type.Optional(Type.String({ minLength: 1, description: 'header `x-b24bi-secret` or query `secret` every request must carry; default none' })),
  allowIps: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'client address ranges (CIDR) allowed in; default everyone' })),
  metrics: Type.Optional(Type.Union([Type.Boolean(), Type.Object({
    instance: Type.Optional(Type.String({ minLength: 1, description: "this replica's `instance` label on every series; default none" }))
  }, { additionalProperties: false })], { default: true, description: 'Prometheus `GET /metrics`' })),
  sharedStore: Type.Optional(Type.Object({
    client: Type.Unsafe<RedisEvalClient>({ description: 'an ioredis client (only its eval is used); the caller creates and quits it' }),
    prefix: Type.Optional(Type.String({ default: 'b24bi:', description: 'prefix of every key' }))
  }, { additionalProperties: false, description: 'the counts of the rate limit and of refused authentications in a Redis every replica shares (needs `runtime.hashKey`); default this process' })),
  docs: Type.Optional(Type.Boolean({ default: false, description: 'OpenAPI UI at `/docs`' })),
  readiness: Type.Optional(Type.Object({
    cacheMs: Type.Optional(Type.Integer({ minimum: 0, default: 2000, description: 'milliseconds one `/ready` answer is reused' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, default: 3000, description: 'milliseconds the source may take to answer `/ready`' }))
  }, { additionalProperties: false })),
  tls: Type.Optional(Type.Object({ cert: Pem, key: Pem }, { additionalProperties: false, description: 'certificate and key (PEM contents): the server speaks HTTPS; default plain HTTP' }))
}, { additionalProperties: false })

function freezeData<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const inner of Object.values(value)) freezeData(inner)
    Object.freeze(value)
  }
  return value
}

/**
 * Validates `buildServer`'s options once (an unknown key at any depth names the closest known one), and returns
 * a frozen copy: the plain settings are copied and deep-frozen; the adapter, logger, proxy setting and shared store's
 * client are kept as given.
 */
export function resolveServerOptions (options: ServerOptions): Readonly<ServerOptions> {
  if (typeof options !== 'object' || options === null) throw new ERR_CONFIG_INVALID('options', 'must be an object')
  assertAdapterShape(options.adapter, 'adapter')
  checkOptions(ServerOptionsSchema, options)
  if (options.sharedStore !== undefined && options.runtime?.hashKey === undefined) {
    throw new ERR_CONFIG_INVALID('runtime.hashKey', 'is required with sharedStore: every replica must hash credentials with the same key, or each counts apart')
  }
  const { adapter, logger, loggerInstance, trustProxy, tls, sharedStore, ...plain } = options
  const copy = freezeData(structuredClone(plain))
  return Object.freeze({
    ...copy,
    adapter,
    ...(sharedStore !== undefined ? { sharedStore: Object.freeze({ ...sharedStore }) } : {}),
    ...(logger !== undefined ? { logger } : {}),
    ...(loggerInstance !== undefined ? { loggerInstance } : {}),
    ...(trustProxy !== undefined ? { trustProxy } : {}),
    ...(tls !== undefined ? { tls: Object.freeze({ cert: tls.cert, key: tls.key }) } : {})
  })
}
