import { LocalLock, sameTokenRecord, type PortalTokens, type TokenStore } from './token-store.js'

/** A token store in process memory: for tests and for one-off CLI calls with given tokens. */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, PortalTokens>()
  readonly #locks = new LocalLock()

  /** @param initial tokens to start with, e.g. the ones given on the command line */
  constructor (initial: readonly PortalTokens[] = []) {
    for (const tokens of initial) this.#tokens.set(tokens.memberId, { ...tokens })
  }

  async get (memberId: string): Promise<PortalTokens | undefined> {
    const tokens = this.#tokens.get(memberId)
    return tokens === undefined ? undefined : { ...tokens }
  }

  async set (tokens: PortalTokens): Promise<void> {
    this.#tokens.set(tokens.memberId, { ...tokens })
  }

  async delete (memberId: string): Promise<void> {
    this.#tokens.delete(memberId)
  }

  async list (): Promise<string[]> {
    return [...this.#tokens.keys()]
  }

  /** Renewal lock within this process (the memory store is never shared). */
  async withLock<T> (key: string, fn: () => Promise<T>): Promise<T> {
    return await this.#locks.run(key, fn)
  }

  async replace (expected: PortalTokens, next: PortalTokens): Promise<boolean> {
    if (!sameTokenRecord(this.#tokens.get(expected.memberId), expected)) return false
    this.#tokens.set(next.memberId, { ...next })
    return true
  }

  async check (): Promise<void> {}
}
