import { MemoryWindowStore, type WindowStore } from './window-store.js'

/** A fixed-window limit: at most `max` events per key in `windowSeconds`. */
export interface RateLimit {
  max: number
  windowSeconds: number
}

/** Options of a `RateLimiter`. */
export interface RateLimiterOptions {
  /** Names the limiter's keys in the store (`rate-limit`, `auth-failures`): limiters sharing a store never mix. */
  name: string
  limit: RateLimit
  /** Where the windows are counted. Default: a `MemoryWindowStore` of its own. */
  store?: WindowStore
}

/**
 * The one rate-limit mechanism: fixed windows per key, counted in a `WindowStore`. A request limit calls
 * `consume` for each request; a limit on failures asks `retryAfter` before the attempt and `record`s the ones
 * that failed. Keys say what is counted: `ip:<address>`, `c:<credential hash>`, `host:<name>`.
 *
 * @example
 * const limiter = new RateLimiter({ name: 'install', limit: { max: 30, windowSeconds: 60 } })
 * const wait = await limiter.consume('ip:' + request.ip) // 0: admitted; else the Retry-After seconds
 */
export class RateLimiter {
  readonly limit: Readonly<RateLimit>
  readonly #name: string
  readonly #store: WindowStore

  constructor (options: RateLimiterOptions) {
    this.limit = Object.freeze({ max: options.limit.max, windowSeconds: options.limit.windowSeconds })
    this.#name = options.name + ':'
    this.#store = options.store ?? new MemoryWindowStore()
  }

  /** Counts one event for `key`: 0 while it is within the limit, else the seconds until its window ends. */
  async consume (key: string): Promise<number> {
    const window = await this.#store.hit(this.#name + key, this.limit.windowSeconds * 1000)
    return window.count > this.limit.max ? seconds(window.resetMs) : 0
  }

  /** Seconds until every one of `keys` may try again without counting anything; 0 when they may try now. */
  async retryAfter (keys: readonly string[]): Promise<number> {
    let wait = 0
    for (const key of keys) {
      const window = await this.#store.peek(this.#name + key)
      if (window.count >= this.limit.max) wait = Math.max(wait, seconds(window.resetMs))
    }
    return wait
  }

  /** Counts one event for each of `keys`. */
  async record (keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map(async (key) => await this.#store.hit(this.#name + key, this.limit.windowSeconds * 1000)))
  }
}

function seconds (ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}
