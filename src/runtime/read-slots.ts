/** Why a read was refused a slot: this credential set already has its share, or the whole server is full. */
export type SlotRefusal = 'credential' | 'total'

/** The slot a read holds until its answer ends; `release` is idempotent. */
export interface ReadSlot {
  release: () => void
}

/**
 * Counts the urlData answers in progress, per credential set and in all, and refuses one more beyond either cap
 * (no queue: a client that never reads its answers holds its slots, and only its own next request is refused).
 */
export class ReadSlots {
  readonly #perKey: number
  readonly #total: number
  readonly #byKey = new Map<string, number>()
  #inUse = 0

  constructor (perKey: number, total: number) {
    this.#perKey = perKey
    this.#total = total
  }

  /** Answers in progress, in all. */
  get inUse (): number {
    return this.#inUse
  }

  /** Takes a slot for `key`, or says which cap refuses it. */
  acquire (key: string): ReadSlot | SlotRefusal {
    const held = this.#byKey.get(key) ?? 0
    if (held >= this.#perKey) return 'credential'
    if (this.#inUse >= this.#total) return 'total'
    this.#byKey.set(key, held + 1)
    this.#inUse++
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        this.#inUse--
        const left = (this.#byKey.get(key) ?? 1) - 1
        if (left === 0) this.#byKey.delete(key)
        else this.#byKey.set(key, left)
      }
    }
  }
}
