import { ERR_ADAPTER_CLOSED } from '../../src/core/errors.js'

/** Options of a `PoolCache`. */
export interface PoolCacheOptions<T> {
  /** Most pools kept open at once; opening one more evicts the least recently used. */
  maxPools: number
  /** A pool unused for this long is closed, in milliseconds. */
  idleMs: number
  /** Closes one pool (errors are reported to `onCloseError`, never thrown). */
  close: (pool: T) => Promise<void>
  onCloseError?: (error: unknown) => void
}

interface Entry<T> {
  pool: T
  leases: number
  lastUsed: number
  evicted: boolean
}

/** A leased pool: call `release` when the work with it is done. */
export interface PoolLease<T> {
  pool: T
  release: () => void
  /** Takes the pool out of the cache (its credentials were refused): it closes when its last lease ends. */
  evict: () => void
}

/**
 * Pools keyed by a credential hash, least recently used first out, idle ones closed by a timer.
 * A pool evicted while leased closes when its last lease is released, so a running read is never cut.
 */
export class PoolCache<T> {
  readonly #options: PoolCacheOptions<T>
  readonly #entries = new Map<string, Entry<T>>()
  readonly #closing = new Set<Promise<void>>()
  readonly #timer: NodeJS.Timeout
  #closed = false

  constructor (options: PoolCacheOptions<T>) {
    this.#options = { ...options }
    this.#timer = setInterval(() => this.sweep(), Math.max(1000, Math.min(options.idleMs, 60_000)))
    this.#timer.unref()
  }

  /** Pools currently open (leased or idle), not counting evicted ones still finishing a read. */
  get size (): number {
    return this.#entries.size
  }

  /** True when a pool for `key` is open. */
  has (key: string): boolean {
    return this.#entries.has(key)
  }

  /** The open pool for `key` without leasing it (nor counting it as used), or undefined. */
  peek (key: string): T | undefined {
    return this.#entries.get(key)?.pool
  }

  /** Leases the pool for `key`, opening it with `open` when there is none. */
  lease (key: string, open: () => T): PoolLease<T> {
    if (this.#closed) throw new ERR_ADAPTER_CLOSED()
    let entry = this.#entries.get(key)
    if (entry === undefined) {
      entry = { pool: open(), leases: 0, lastUsed: Date.now(), evicted: false }
      this.#entries.set(key, entry)
      this.#evictOverCap()
    } else {
      this.#entries.delete(key)
      this.#entries.set(key, entry)
    }
    const leased = entry
    leased.leases++
    let released = false
    return {
      pool: leased.pool,
      release: () => {
        if (released) return
        released = true
        leased.leases--
        leased.lastUsed = Date.now()
        if (leased.evicted && leased.leases === 0) this.#close(leased)
      },
      evict: () => {
        if (this.#entries.get(key) === leased) {
          this.#entries.delete(key)
          leased.evicted = true
        }
      }
    }
  }

  #evictOverCap (): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#options.maxPools) return
      this.#evict(key, entry)
    }
  }

  #evict (key: string, entry: Entry<T>): void {
    this.#entries.delete(key)
    entry.evicted = true
    if (entry.leases === 0) this.#close(entry)
  }

  #close (entry: Entry<T>): void {
    const closing = this.#options.close(entry.pool).catch((error: unknown) => this.#options.onCloseError?.(error))
    this.#closing.add(closing)
    void closing.finally(() => this.#closing.delete(closing))
  }

  /** Closes the pools idle for longer than `idleMs`. Runs on a timer; callable directly. */
  sweep (now = Date.now()): void {
    for (const [key, entry] of this.#entries) {
      if (entry.leases === 0 && now - entry.lastUsed >= this.#options.idleMs) this.#evict(key, entry)
    }
  }

  /** Closes every pool and waits for them to end (leases still running are closed too). */
  async close (): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    for (const [key, entry] of this.#entries) {
      this.#entries.delete(key)
      entry.evicted = true
      this.#close(entry)
    }
    await Promise.all([...this.#closing])
  }
}
