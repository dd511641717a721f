import type { FailureCounter, WindowLimits } from './window-counter.js'

/**
 * The one Redis command the shared counter uses (an `ioredis` client has it); the caller creates and quits the
 * client: the core never imports the driver.
 */
export interface RedisEvalClient {
  eval: (script: string, keyCount: number, ...args: Array<string | number>) => Promise<unknown>
}

/** Options of `RedisWindowCounter`. */
export interface RedisWindowCounterOptions {
  client: RedisEvalClient
  limits: WindowLimits
  /** Prefix of every key. Default `b24bi:`; the counter adds `auth-failures:`. */
  prefix?: string
}

// One round trip each, atomic: the first event of a window sets its expiry.
const RECORD = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`
const READ = `local n = redis.call('GET', KEYS[1])
if not n then return {0, 0} end
return {tonumber(n), redis.call('PTTL', KEYS[1])}`

/**
 * Fixed windows per key in Redis, shared by every replica (`INCR` + `PEXPIRE` on the first event of a window).
 * A Redis error rejects; the runtime then lets the attempt through and logs it (fail open: a Redis outage must not
 * lock every portal out).
 */
export class RedisWindowCounter implements FailureCounter {
  readonly #client: RedisEvalClient
  readonly #limits: WindowLimits
  readonly #prefix: string

  constructor (options: RedisWindowCounterOptions) {
    this.#client = options.client
    this.#limits = { ...options.limits }
    this.#prefix = (options.prefix ?? 'b24bi:') + 'auth-failures:'
  }

  async retryAfter (key: string): Promise<number> {
    const [count, ttlMs] = await this.#client.eval(READ, 1, this.#prefix + key) as [number, number]
    if (count < this.#limits.max || ttlMs <= 0) return 0
    return Math.max(1, Math.ceil(ttlMs / 1000))
  }

  async record (keys: readonly string[]): Promise<void> {
    const windowMs = Math.ceil(this.#limits.windowSeconds * 1000)
    await Promise.all(keys.map(async (key) => await this.#client.eval(RECORD, 1, this.#prefix + key, windowMs)))
  }
}
