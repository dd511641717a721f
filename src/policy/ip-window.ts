/**
 * A fixed-window request counter per client address: `hit(ip)` is false once `max` requests came from `ip`
 * within the current window. Memory is bounded: the whole map is dropped when a window ends.
 */
export class IpWindow {
  readonly #max: number
  readonly #windowMs: number
  #counts = new Map<string, number>()
  #windowEnds = 0

  constructor (max: number, windowSeconds: number) {
    this.#max = max
    this.#windowMs = windowSeconds * 1000
  }

  /** Counts one request from `ip`; true while it is within the limit. */
  hit (ip: string, now = Date.now()): boolean {
    if (now >= this.#windowEnds) {
      this.#counts = new Map()
      this.#windowEnds = now + this.#windowMs
    }
    const count = (this.#counts.get(ip) ?? 0) + 1
    this.#counts.set(ip, count)
    return count <= this.#max
  }

  /** Seconds until the current window ends (the Retry-After of a refusal). */
  retryAfter (now = Date.now()): number {
    return Math.max(1, Math.ceil((this.#windowEnds - now) / 1000))
  }
}
