/** One key's fixed window after an event or a look: the events counted in it and the milliseconds until it ends. */
export interface WindowCount {
  count: number
  resetMs: number
}

/**
 * Where rate-limit windows are counted: `MemoryWindowStore` for one process, `RedisWindowStore` where replicas
 * share their counts, or any other store that keeps this contract. A window opens with the first event of a key
 * and ends `windowMs` later; a store may forget a key whose window ended.
 */
export interface WindowStore {
  /** Counts one event for `key` (opening a window of `windowMs` when none is open) and returns the window. */
  hit: (key: string, windowMs: number) => WindowCount | Promise<WindowCount>
  /** The open window of `key` without counting; `{ count: 0, resetMs: 0 }` when none is open. */
  peek: (key: string) => WindowCount | Promise<WindowCount>
}

const CLOSED: WindowCount = Object.freeze({ count: 0, resetMs: 0 })

/** Keys a memory store keeps before it sweeps the ended windows. */
const MAX_KEYS = 50_000

/** Windows in this process's memory, bounded: past `MAX_KEYS` keys the ended windows go, and all of them in a flood. */
export class MemoryWindowStore implements WindowStore {
  readonly #windows = new Map<string, { count: number, endsAt: number }>()
  readonly #now: () => number

  /** `now`: the clock, in milliseconds (tests pass their own). Default `Date.now`. */
  constructor (options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now
  }

  hit (key: string, windowMs: number): WindowCount {
    const now = this.#now()
    if (this.#windows.size > MAX_KEYS) this.#sweep(now)
    let window = this.#windows.get(key)
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs }
      this.#windows.set(key, window)
    }
    window.count++
    return { count: window.count, resetMs: window.endsAt - now }
  }

  peek (key: string): WindowCount {
    const now = this.#now()
    const window = this.#windows.get(key)
    return window === undefined || window.endsAt <= now ? CLOSED : { count: window.count, resetMs: window.endsAt - now }
  }

  #sweep (now: number): void {
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key)
    if (this.#windows.size > MAX_KEYS) this.#windows.clear() // a flood of distinct addresses: start over rather than grow
  }
}
