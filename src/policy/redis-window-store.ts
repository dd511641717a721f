import type { WindowCount, WindowStore } from './window-store.js'

/**
 * The one Redis command the shared store uses (an `ioredis` client has it); the caller creates and quits the
 * client: the core never imports the driver.
 */
export interface RedisEvalClient {
  eval: (script: string, keyCount: number, ...args: Array<string | number>) => Promise<unknown>
}

/** Options of `RedisWindowStore`. */
export interface RedisWindowStoreOptions {
  client: RedisEvalClient
  /** Prefix of every key. Default `b24bi:`. */
  prefix?: string
}

/** The shared store's default key prefix. */
export const REDIS_KEY_PREFIX = 'b24bi:'

// One round trip each, atomic: the first event of a window sets its expiry (so does any event of a key left
// without one).
const HIT = `local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`
const PEEK = `local n = redis.call('GET', KEYS[1])
if not n then return {0, 0} end
return {tonumber(n), redis.call('PTTL', KEYS[1])}`

/**
 * Windows in a Redis every replica shares (`INCR`, and `PEXPIRE` on a window's first event), so N replicas behind
 * a balancer admit what one would. A Redis error rejects; the limiters' callers let the call through and log it
 * (fail open: a Redis outage must not lock every portal out).
 */
export class RedisWindowStore implements WindowStore {
  readonly #client: RedisEvalClient
  readonly #prefix: string

  constructor (options: RedisWindowStoreOptions) {
    this.#client = options.client
    this.#prefix = options.prefix ?? REDIS_KEY_PREFIX
  }

  async hit (key: string, windowMs: number): Promise<WindowCount> {
    const [count, resetMs] = await this.#client.eval(HIT, 1, this.#prefix + key, Math.ceil(windowMs)) as [number, number]
    return { count, resetMs }
  }

  async peek (key: string): Promise<WindowCount> {
    const [count, ttlMs] = await this.#client.eval(PEEK, 1, this.#prefix + key) as [number, number]
    return ttlMs > 0 ? { count, resetMs: ttlMs } : { count: 0, resetMs: 0 }
  }
}
