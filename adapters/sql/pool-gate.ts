import { ERR_SOURCE_BUSY, withRetryAfter } from '../../src/core/errors.js'

/** Seconds a caller refused for want of a connection is told to wait (`Retry-After`). */
export const BUSY_RETRY_AFTER_SECONDS = 5

/** The 503 of a source without a free connection, with `Retry-After`. */
export function sourceBusy (cause?: unknown): Error {
  return withRetryAfter(new ERR_SOURCE_BUSY(String(BUSY_RETRY_AFTER_SECONDS), ...(cause === undefined ? [] : [{ cause }])), BUSY_RETRY_AFTER_SECONDS)
}

/**
 * The connections of one pool as permits: a caller waits for one at most `waitMs`, then gets 503
 * `B24BI_ERR_SOURCE_BUSY` with `Retry-After` (the driver's own pool never queues: it has as many connections as
 * the gate has permits). First come, first served.
 */
export class PoolGate {
  readonly #waiting: Array<() => void> = []
  #free: number

  constructor (readonly size: number, readonly waitMs: number) {
    this.#free = size
  }

  /** Callers waiting for a connection now (the `waiting` pool gauge). */
  get waiting (): number {
    return this.#waiting.length
  }

  /** Connections in use now. */
  get busy (): number {
    return this.size - this.#free
  }

  /** Waits for a permit; resolves with the function that gives it back (idempotent). */
  async acquire (): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--
      return this.#releaser()
    }
    return await new Promise((resolve, reject) => {
      const grant = (): void => {
        clearTimeout(timer)
        resolve(this.#releaser())
      }
      const timer = setTimeout(() => {
        const index = this.#waiting.indexOf(grant)
        if (index >= 0) this.#waiting.splice(index, 1)
        reject(sourceBusy())
      }, this.waitMs)
      this.#waiting.push(grant)
    })
  }

  #releaser (): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#waiting.shift()
      if (next !== undefined) next() // the permit passes on directly
      else this.#free++
    }
  }
}
