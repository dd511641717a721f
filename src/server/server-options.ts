import type { FastifyServerOptions } from 'fastify'
import type { ConnectorPaths } from '../protocol/endpoints.js'
import { Type } from 'typebox'
import type { Adapter } from '../core/adapter.js'
import { assertAdapterShape } from '../core/adapter-shape.js'
import { ERR_CONFIG_INVALID } from '../core/errors.js'
import { RuntimeOptionsSchema, type RuntimeOptions } from '../runtime/runtime-options.js'
import { checkOptions } from '../util/strict-options.js'
import type { RedisEvalClient } from '../policy/redis-window-counter.js'

/** The four endpoint paths (the connector plugin's `ConnectorPaths`; defaults in `DEFAULT_PATHS`). */
export type ServerPaths = ConnectorPaths

/** Per-credential rate limit: `max` requests per `windowSeconds` for one credential set (or one IP without one). */
export interface RateLimitOptions {
  max: number // requests per window
  windowSeconds: number // seconds
}

/**
 * The part of an `ioredis` client the shared counters use: `eval` (refused authentications) and `defineCommand`
 * (`@fastify/rate-limit`'s Redis store). The caller creates and quits the client.
 */
export interface SharedRedisClient extends RedisEvalClient {
  defineCommand: (name: string, definition: { numberOfKeys: number, lua: string }) => unknown
}

/**
 * A Redis every replica shares: the rate limit and the refused-authentication counter keep their counts there,
 * so N replicas behind a balancer admit what one would. Needs `runtime.hashKey`, the same on every replica.
 */
export interface SharedStoreOptions {
  client: SharedRedisClient
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
  adapter: Type.Unsafe<Adapter>({}),
  runtime: Type.Optional(RuntimeOptionsSchema),
  paths: Type.Optional(Type.Object({
    check: Type.Optional(Path),
    tableList: Type.Optional(Path),
    tableDescription: Type.Optional(Path),
    data: Type.Optional(Path)
  }, { additionalProperties: false })),
  bodyLimit: Type.Optional(Type.Integer({ minimum: 1 })),
  logger: Type.Optional(Type.Unsafe<FastifyServerOptions['logger']>({})),
  loggerInstance: Type.Optional(Type.Unsafe<FastifyServerOptions['loggerInstance']>({})),
  trustProxy: Type.Optional(Type.Unsafe<FastifyServerOptions['trustProxy']>({})),
  requestTimeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  helmet: Type.Optional(Type.Boolean()),
  rateLimit: Type.Optional(Type.Union([Type.Literal(false), Type.Object({
    max: Type.Integer({ minimum: 1 }),
    windowSeconds: Type.Number({ exclusiveMinimum: 0 })
  }, { additionalProperties: false })])),
  underPressure: Type.Optional(Type.Union([Type.Literal(false), Type.Object({
    maxEventLoopDelayMs: Type.Optional(Type.Number({ minimum: 0 })),
    maxEventLoopUtilization: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    maxHeapUsedBytes: Type.Optional(Type.Number({ minimum: 0 })),
    maxRssBytes: Type.Optional(Type.Number({ minimum: 0 })),
    retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 1 }))
  }, { additionalProperties: false })])),
  sharedSecret: Type.Optional(Type.String({ minLength: 1 })),
  allowIps: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  metrics: Type.Optional(Type.Union([Type.Boolean(), Type.Object({
    instance: Type.Optional(Type.String({ minLength: 1 }))
  }, { additionalProperties: false })])),
  sharedStore: Type.Optional(Type.Object({
    client: Type.Unsafe<SharedRedisClient>({}),
    prefix: Type.Optional(Type.String())
  }, { additionalProperties: false })),
  docs: Type.Optional(Type.Boolean()),
  readiness: Type.Optional(Type.Object({
    cacheMs: Type.Optional(Type.Integer({ minimum: 0 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1 }))
  }, { additionalProperties: false })),
  tls: Type.Optional(Type.Object({ cert: Pem, key: Pem }, { additionalProperties: false }))
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
