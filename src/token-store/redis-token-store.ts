import { ERR_TOKEN_STORE } from '../errors.js'
import { parsePortalTokens, type PortalTokens, type TokenStore } from './token-store.js'

/** The default hash key. */
export const DEFAULT_TOKEN_KEY = 'b24bi:portal-tokens'

/** The part of an `ioredis` client the store uses; the caller creates (and quits) the driver. */
export interface RedisHashClient {
  hget: (key: string, field: string) => Promise<string | null>
  hset: (key: string, field: string, value: string) => Promise<unknown>
  hdel: (key: string, field: string) => Promise<unknown>
  hkeys: (key: string) => Promise<string[]>
}

/** Options of `RedisTokenStore`. */
export interface RedisTokenStoreOptions {
  /** An `ioredis` client (or anything with its hash commands). */
  client: RedisHashClient
  /** The hash holding one field per portal. Default `b24bi:portal-tokens`. */
  key?: string
}

/** Tokens in one Redis hash (field = member id, value = JSON), shared by every replica. */
export class RedisTokenStore implements TokenStore {
  readonly #client: RedisHashClient
  readonly #key: string

  constructor (options: RedisTokenStoreOptions) {
    this.#client = options.client
    this.#key = options.key ?? DEFAULT_TOKEN_KEY
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

  async #run<T> (command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      throw new ERR_TOKEN_STORE('a Redis command failed', { cause: error })
    }
  }
}
