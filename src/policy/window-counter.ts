/** Options of a `WindowCounter`. */
export interface WindowLimits {
  /** Events allowed per key and window. */
  max: number
  /** Window length, in seconds. Default 60. */
  windowSeconds: number
}

/** The defaults of the refused-authentication limit, with units. */
export const FAILED_AUTH_DEFAULTS: Readonly<WindowLimits> = Object.freeze({
  max: 60, // refused authentications per key and window
  windowSeconds: 60 // seconds
})

/**
 * Where refused authentications are counted: in this process (`WindowCounter`, the default) or in a store every
 * replica shares (`RedisWindowCounter`), so a client guessing tokens through a balancer meets one allowance.
 */
export interface FailureCounter {
  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter: (key: string) => number | Promise<number>
  /** Counts one event for each key. */
  record: (keys: readonly string[]) => void | Promise<void>
}

const MAX_KEYS = 50_000 // keys kept before expired windows are swept

/**
 * Counts events per key in fixed windows, bounded in memory. The runtime counts refused authentications by
 * client address (guessing tokens costs a 429 after `max` tries, whatever the token) and, in portal mode, by
 * target host (the connector is no password-guessing relay); the install flow counts events per address.
 */
export class WindowCounter implements FailureCounter {
  readonly #limits: WindowLimits
  readonly #windows = new Map<string, { count: number, resetAt: number }>()

  constructor (limits: WindowLimits) {
    this.#limits = { ...limits }
  }

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter (key: string, now = Date.now()): number {
    const window = this.#windows.get(key)
    if (window === undefined || window.resetAt <= now || window.count < this.#limits.max) return 0
    return Math.max(1, Math.ceil((window.resetAt - now) / 1000))
  }

  /** Counts one event for each key. */
  record (keys: readonly string[], now = Date.now()): void {
    if (this.#windows.size > MAX_KEYS) this.#sweep(now)
    for (const key of keys) {
      const window = this.#windows.get(key)
      if (window === undefined || window.resetAt <= now) this.#windows.set(key, { count: 1, resetAt: now + this.#limits.windowSeconds * 1000 })
      else window.count++
    }
  }

  #sweep (now: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key)
    if (this.#windows.size > MAX_KEYS) this.#windows.clear() // a flood of distinct addresses: start over rather than grow
  }
}
