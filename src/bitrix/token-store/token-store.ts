import { setTimeout as sleep } from 'node:timers/promises'
import { ERR_TOKEN_LOCK } from '../../core/errors.js'

/**
 * What the application keeps per portal after `ONAPPINSTALL`: the OAuth pair and where to call.
 * Tokens are secrets: never log a `PortalTokens` whole (see `redactTokens`).
 */
export interface PortalTokens {
  /** The portal's stable id (`auth[member_id]`); the store key. */
  memberId: string
  /** The portal host as the portal names it, e.g. `example.bitrix24.com` (may hold a port). */
  domain: string
  /** Where REST methods are called, ending in `/rest/`, e.g. `https://example.bitrix24.com/rest/`. */
  restEndpoint: string
  /** The OAuth access token (about one hour). */
  accessToken: string
  /** The OAuth refresh token used to renew the pair. */
  refreshToken: string
  /** When the access token expires, epoch milliseconds; undefined when unknown. */
  expiresAt?: number
  /** The secret the portal puts in every event for this application (`auth[application_token]`). */
  applicationToken?: string
  /** The id of the connector registered on this portal, once known. */
  connectorId?: number
}

/**
 * Where tokens live: one small contract every backend satisfies (file, PostgreSQL, Redis, memory).
 * Several replicas of a connector must share one store, so use PostgreSQL or Redis when running more than one.
 *
 * The three optional abilities make renewal safe across replicas; the helpers below (`withTokenLock`,
 * `replaceTokens`, `checkTokenStore`) fall back to in-process behaviour for a store without them, so a
 * third-party store keeps working with one replica. Every built-in store has all three.
 */
export interface TokenStore {
  /** The tokens stored for `memberId`, or undefined. */
  get: (memberId: string) => Promise<PortalTokens | undefined>
  /** Stores (replaces) the tokens of `tokens.memberId`. */
  set: (tokens: PortalTokens) => Promise<void>
  /** Forgets `memberId`; no error when nothing is stored. */
  delete: (memberId: string) => Promise<void>
  /** The member ids stored, in no particular order. */
  list: () => Promise<string[]>
  /**
   * Runs `fn` holding the renewal lock of `key` (a member id), shared by every replica using the store; the lock
   * expires after `TOKEN_LOCK_TTL_MS` (45 s) if its holder dies. Throws `B24BI_ERR_TOKEN_LOCK` when the lock is
   * not acquired within `TOKEN_LOCK_WAIT_MS`. Default (absent): an in-process lock.
   */
  withLock?: <T>(key: string, fn: () => Promise<T>) => Promise<T>
  /**
   * Compare-and-set: stores `next` only if the record stored for `expected.memberId` still has `expected`'s
   * `refreshToken` and `applicationToken` (absent = absent); false, writing nothing, when it changed or is gone.
   * So a renewal never overwrites a reinstall, a newer pair, or an uninstall. Default (absent): get, compare, set.
   */
  replace?: (expected: PortalTokens, next: PortalTokens) => Promise<boolean>
  /**
   * Proves the store can be written (throws `B24BI_ERR_TOKEN_STORE_UNWRITABLE`); called at start-up, before
   * any registration, so a read-only store fails the start rather than an install. Default (absent): no check.
   */
  check?: () => Promise<void>
}

/** How long a renewal lock lives when its holder dies without releasing it, milliseconds (above a 30 s OAuth timeout). */
export const TOKEN_LOCK_TTL_MS = 45_000
/** How long a caller waits for a renewal lock before `B24BI_ERR_TOKEN_LOCK`, milliseconds (the TTL, plus a margin). */
export const TOKEN_LOCK_WAIT_MS = 50_000
/** The pause between two attempts to take a lock held elsewhere, milliseconds. */
export const TOKEN_LOCK_RETRY_MS = 25

/**
 * Locks by key within one process: what a single-process store (memory) uses, and the fallback of
 * `withTokenLock` for a store without `withLock`. Callers of one key run one after another, in call order.
 */
export class LocalLock {
  readonly #tails = new Map<string, Promise<unknown>>()

  /** Runs `fn` once every earlier caller of `key` has finished. */
  async run<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve()
    const result = before.then(fn, fn)
    const tail = result.then(() => undefined, () => undefined)
    this.#tails.set(key, tail)
    try {
      return await result
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}

/** One shared lock as a store provides it: a single attempt to take it (false when held elsewhere), and its release. */
export interface TokenLease {
  take: () => Promise<boolean>
  release: () => Promise<void>
}

/**
 * Runs `fn` holding `lease`, polling every `TOKEN_LOCK_RETRY_MS` while it is held elsewhere; after
 * `waitMs` throws `B24BI_ERR_TOKEN_LOCK`. How a shared store implements `withLock`.
 */
export async function withLease<T> (key: string, lease: TokenLease, fn: () => Promise<T>, waitMs = TOKEN_LOCK_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs
  while (!(await lease.take())) {
    if (Date.now() >= deadline) throw new ERR_TOKEN_LOCK(key, String(Math.round(waitMs / 1000)))
    await sleep(TOKEN_LOCK_RETRY_MS)
  }
  try {
    return await fn()
  } finally {
    // A release that fails leaves the lease to expire by its TTL; fn's own outcome is what the caller needs.
    await lease.release().catch(() => undefined)
  }
}

const fallbackLocks = new WeakMap<TokenStore, LocalLock>()

/** Runs `fn` under the store's renewal lock of `key`, or under an in-process lock when the store has none. */
export async function withTokenLock<T> (store: TokenStore, key: string, fn: () => Promise<T>): Promise<T> {
  if (typeof store.withLock === 'function') return await store.withLock(key, fn)
  let lock = fallbackLocks.get(store)
  if (lock === undefined) fallbackLocks.set(store, lock = new LocalLock())
  return await lock.run(key, fn)
}

/** True when `stored` still is the record `expected` was read as (same refresh chain, same application token). */
export function sameTokenRecord (stored: PortalTokens | undefined, expected: PortalTokens): boolean {
  return stored !== undefined && stored.refreshToken === expected.refreshToken &&
    (stored.applicationToken ?? '') === (expected.applicationToken ?? '')
}

/**
 * Compare-and-set through the store's `replace`; for a store without one, get, compare and set (atomic only
 * within the caller's lock: use it under `withTokenLock`). False, writing nothing, when the record changed.
 */
export async function replaceTokens (store: TokenStore, expected: PortalTokens, next: PortalTokens): Promise<boolean> {
  if (typeof store.replace === 'function') return await store.replace(expected, next)
  if (!sameTokenRecord(await store.get(expected.memberId), expected)) return false
  await store.set(next)
  return true
}

/** Runs the store's `check` (writable at start-up), if it has one. */
export async function checkTokenStore (store: TokenStore): Promise<void> {
  if (typeof store.check === 'function') await store.check()
}

/** A copy of `tokens` safe for logs and CLI output: secrets replaced by `***`. */
export function redactTokens (tokens: PortalTokens): Record<string, unknown> {
  return {
    ...tokens,
    accessToken: '***',
    refreshToken: '***',
    ...(tokens.applicationToken === undefined ? {} : { applicationToken: '***' })
  }
}

/** Parses a stored JSON record back into `PortalTokens`, or undefined when it is not one. */
export function parsePortalTokens (value: unknown): PortalTokens | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  for (const key of ['memberId', 'domain', 'restEndpoint', 'accessToken', 'refreshToken']) {
    if (typeof record[key] !== 'string') return undefined
  }
  return record as unknown as PortalTokens
}
