import { ERR_CONFIG_INVALID, ERR_TOKEN_STORE } from '../errors.js'
import { parsePortalTokens, type PortalTokens, type TokenStore } from './token-store.js'

/** The default table name. */
export const DEFAULT_TOKEN_TABLE = 'b24bi_portal_tokens'

/** The part of a `pg` Pool or Client the store uses; the caller creates (and ends) the driver. */
export interface SqlQueryable {
  query: (text: string, values?: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>
}

/** Options of `PostgresTokenStore`. */
export interface PostgresTokenStoreOptions {
  /** A `pg.Pool` (or anything with its `query`). */
  client: SqlQueryable
  /** The table, created if missing; a plain or schema-qualified identifier. Default `b24bi_portal_tokens`. */
  table?: string
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/

/**
 * Tokens in a PostgreSQL table (`member_id text primary key, tokens jsonb, updated_at timestamptz`),
 * shared by every replica. The table is created on first use (single flight, retried after a failure).
 */
export class PostgresTokenStore implements TokenStore {
  readonly #client: SqlQueryable
  readonly #table: string
  #ready: Promise<void> | undefined

  constructor (options: PostgresTokenStoreOptions) {
    const table = options.table ?? DEFAULT_TOKEN_TABLE
    if (!IDENTIFIER.test(table)) throw new ERR_CONFIG_INVALID('token table', 'use lower-case letters, digits and _')
    this.#client = options.client
    this.#table = table
  }

  async get (memberId: string): Promise<PortalTokens | undefined> {
    const { rows } = await this.#query(`SELECT tokens FROM ${this.#table} WHERE member_id = $1`, [memberId])
    return rows[0] === undefined ? undefined : parsePortalTokens(rows[0].tokens)
  }

  async set (tokens: PortalTokens): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#table} (member_id, tokens, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (member_id) DO UPDATE SET tokens = EXCLUDED.tokens, updated_at = EXCLUDED.updated_at`,
      [tokens.memberId, JSON.stringify(tokens)]
    )
  }

  async delete (memberId: string): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE member_id = $1`, [memberId])
  }

  async list (): Promise<string[]> {
    const { rows } = await this.#query(`SELECT member_id FROM ${this.#table}`)
    return rows.map((row) => String(row.member_id))
  }

  async #query (text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }> {
    await this.#createTable()
    try {
      return await this.#client.query(text, values)
    } catch (error) {
      throw new ERR_TOKEN_STORE('a PostgreSQL query failed', { cause: error })
    }
  }

  async #createTable (): Promise<void> {
    this.#ready ??= this.#client.query(
      `CREATE TABLE IF NOT EXISTS ${this.#table} (
         member_id text PRIMARY KEY, tokens jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`
    ).then(() => undefined, (error: unknown) => {
      this.#ready = undefined
      throw new ERR_TOKEN_STORE('the token table cannot be created', { cause: error })
    })
    await this.#ready
  }
}
