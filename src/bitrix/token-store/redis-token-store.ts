import { randomBytes } from 'node:crypto'
import { ERR_TOKEN_STORE, ERR_TOKEN_STORE_UNWRITABLE } from '../../core/errors.js'
import { parsePortalTokens, TOKEN_LOCK_TTL_MS, withLease, type PortalTokens, type TokenStore } from './token-store.js'

/** The default hash key. */
export const DEFAULT_TOKEN_KEY = 'b24bi:portal-tokens'

/** The part of an `ioredis` client the store uses; the caller creates (and quits) the driver. */
export interface RedisHashClient {
  hget: (key: string, field: string) => Promise<string | null>
  hset: (key: string, field: string, value: string) => Promise<unknown>
  hdel: (key: string, field: string) => Promise<unknown>
  hkeys: (key: string) => Promise<string[]>
  /** `EVAL script numkeys key... arg...`: the lock, the compare-and-set and the write check run as Lua scripts. */
  eval: (script: string, numberOfKeys: number, ...args: Array<string | number>) => Promise<unknown>
}

/** Options of `RedisTokenStore`. */
export interface RedisTokenStoreOptions {
  /** An `ioredis` client (or anything with its hash commands and `eval`). */
  client: RedisHashClient
  /** The hash holding one field per portal; locks are `<key>:lock:<member id>`. Default `b24bi:portal-tokens`. */
  key?: string
  /** How long a renewal lock outlives a holder that died, milliseconds. Default 45000 (`TOKEN_LOCK_TTL_MS`). */
  lockTtlMs?: number
}

// SET NX PX takes the lock with a random holder token; only that holder may delete it.
const TAKE = "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0"
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
// Compare-and-set on the stored record's refresh token and application token (absent = '').
const REPLACE = `local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or type(record) ~= 'table' then return 0 end
local application = record.applicationToken
if type(application) ~= 'string' then application = '' end
if record.refreshToken ~= ARGV[2] or application ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
return 1`
const PROBE = "redis.call('SET', KEYS[1], '1', 'PX', 10000) redis.call('DEL', KEYS[1]) return 1"

/**
 * Tokens in one Redis hash (field = member id, value = JSON), shared by every replica. Renewal locks are
 * `SET NX PX` keys released by a compare-and-delete script; `replace` is a Lua compare-and-set.
 */
export class RedisTokenStore implements TokenStore {
  readonly #client: RedisHashClient
  readonly #key: string
  readonly #lockTtlMs: number

  constructor (options: RedisTokenStoreOptions) {
    this.#client = options.client
    this.#key = options.key ?? DEFAULT_TOKEN_KEY
    this.#lockTtlMs = options.lockTtlMs ?? TOKEN_LOCK_TTL_MS
  }

  async get (memberId: string): Promise<PortalTokens | undefined> {
    const text = await this.#run(async () => await this.#client.hget(this.#key, memberId))
    if (text === null) return undefined
    try {
      return parsePortalTokens(JSON.parse(text))
    } catch (error) {
      throw new ERR_TOKEN_STORE('a stored Redis value is not valid JSON', { cause: error })
    }
  }

  async set (tokens: PortalTokens): Promise<void> {
    await this.#run(async () => await this.#client.hset(this.#key, tokens.memberId, JSON.stringify(tokens)))
  }

  async delete (memberId: string): Promise<void> {
    await this.#run(async () => await this.#client.hdel(this.#key, memberId))
  }

  async list (): Promise<string[]> {
    return await this.#run(async () => await this.#client.hkeys(this.#key))
  }

  async withLock<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${this.#key}:lock:${key}`
    const holder = randomBytes(16).toString('hex')
    return await withLease(key, {
      take: async () => Number(await this.#run(async () => await this.#client.eval(TAKE, 1, lock, holder, this.#lockTtlMs))) === 1,
      release: async () => { await this.#run(async () => await this.#client.eval(RELEASE, 1, lock, holder)) }
    }, fn)
  }

  async replace (expected: PortalTokens, next: PortalTokens): Promise<boolean> {
    const done = await this.#run(async () => await this.#client.eval(
      REPLACE, 1, this.#key, expected.memberId, expected.refreshToken, expected.applicationToken ?? '', JSON.stringify(next)))
    return Number(done) === 1
  }

  /** Writes and deletes a probe key (a read-only replica or a missing permission fails here). */
  async check (): Promise<void> {
    try {
      await this.#client.eval(PROBE, 1, `${this.#key}:check:${randomBytes(8).toString('hex')}`)
    } catch (error) {
      throw new ERR_TOKEN_STORE_UNWRITABLE('a Redis write was refused', { cause: error })
    }
  }

  async #run<T> (command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      throw new ERR_TOKEN_STORE('a Redis command failed', { cause: error })
    }
  }
}
