/**
 * At most `size` reads at once; the others wait in order (a bounded queue: the runtime admits no more readers than
 * the adapter declares, so the wait is short). A wait ends early when the read's signal aborts.
 */
export class ReadGate {
  readonly #size: number
  #running = 0
  readonly #waiting: Array<() => void> = []

  constructor (size: number) {
    this.#size = size
  }

  /** Waits for a turn; returns the function that ends it (idempotent). */
  async enter (signal: AbortSignal): Promise<() => void> {
    if (this.#running >= this.#size) {
      await new Promise<void>((resolve, reject) => {
        const turn = (): void => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        }
        const onAbort = (): void => {
          const at = this.#waiting.indexOf(turn)
          if (at >= 0) this.#waiting.splice(at, 1)
          reject(signal.reason)
        }
        if (signal.aborted) {
          reject(signal.reason)
          return
        }
        signal.addEventListener('abort', onAbort, { once: true })
        this.#waiting.push(turn)
      })
    } else {
      this.#running++
    }
    let left = false
    return () => {
      if (left) return
      left = true
      const next = this.#waiting.shift()
      // The turn passes straight to the next waiter, so `running` stays counted.
      if (next !== undefined) next()
      else this.#running--
    }
  }
}
