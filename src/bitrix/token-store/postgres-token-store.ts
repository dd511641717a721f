import { randomBytes } from 'node:crypto'
import { ERR_CONFIG_INVALID, ERR_TOKEN_STORE, ERR_TOKEN_STORE_UNWRITABLE } from '../../core/errors.js'
import { parsePortalTokens, TOKEN_LOCK_TTL_MS, withLease, type PortalTokens, type TokenStore } from './token-store.js'

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
  /**
   * The table, created if missing; a plain or schema-qualified identifier (the renewal locks live in
   * `<table>_locks`, so the name has at most 57 characters). Default `b24bi_portal_tokens`.
   */
  table?: string
  /** How long a renewal lock outlives a holder that died, milliseconds. Default 45000 (`TOKEN_LOCK_TTL_MS`). */
  lockTtlMs?: number
}

const IDENTIFIER = /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,56}$/

/**
 * The driver's code (a SQLSTATE such as 3D000, or ECONNREFUSED) under the error's causes: it tells the operator
 * what to fix and, unlike the driver's message, never holds a host or a password.
 */
function driverCodeOf (error: unknown): string | undefined {
  for (let at: unknown = error; typeof at === 'object' && at !== null; at = (at as { cause?: unknown }).cause) {
    const code = (at as { code?: unknown }).code
    if (typeof code === 'string' && !code.startsWith('B24BI_')) return code
  }
  return undefined
}

/**
 * Tokens in a PostgreSQL table (`member_id text primary key, tokens jsonb, updated_at timestamptz`),
 * shared by every replica. The tables are created on first use (single flight, retried after a failure).
 *
 * Renewal locks are leases in `<table>_locks` (a row per key with a holder and an expiry), not advisory locks:
 * a transaction-scoped advisory lock would hold a pooled connection (idle in transaction) for the whole OAuth
 * call, and a session one would be lost unseen with its connection; a lease needs no held connection, works
 * behind PgBouncer in transaction mode, and expires after `lockTtlMs` if its holder dies, as the Redis one does.
 * `replace` is `UPDATE ... WHERE` the stored refresh and application tokens are the expected ones.
 */
export class PostgresTokenStore implements TokenStore {
  readonly #client: SqlQueryable
  readonly #table: string
  readonly #locks: string
  readonly #lockTtlMs: number
  #ready: Promise<void> | undefined

  constructor (options: PostgresTokenStoreOptions) {
    const table = options.table ?? DEFAULT_TOKEN_TABLE
    if (!IDENTIFIER.test(table)) throw new ERR_CONFIG_INVALID('token table', 'use lower-case letters, digits and _ (at most 57 characters)')
    this.#client = options.client
    this.#table = table
    this.#locks = `${table}_locks`
    this.#lockTtlMs = options.lockTtlMs ?? TOKEN_LOCK_TTL_MS
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

  async withLock<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const holder = randomBytes(16).toString('hex')
    return await withLease(key, {
      // Inserted, or taken over when the lease in place has expired; RETURNING says whether this holder has it.
      take: async () => (await this.#query(
        `INSERT INTO ${this.#locks} AS l (key, holder, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at WHERE l.expires_at < clock_timestamp()
         RETURNING holder`, [key, holder, this.#lockTtlMs])).rows.length === 1,
      release: async () => { await this.#query(`DELETE FROM ${this.#locks} WHERE key = $1 AND holder = $2`, [key, holder]) }
    }, fn)
  }

  async replace (expected: PortalTokens, next: PortalTokens): Promise<boolean> {
    const { rows } = await this.#query(
      `UPDATE ${this.#table} SET tokens = $2, updated_at = now()
       WHERE member_id = $1 AND tokens->>'refreshToken' = $3 AND coalesce(tokens->>'applicationToken', '') = $4
       RETURNING member_id`,
      [expected.memberId, JSON.stringify(next), expected.refreshToken, expected.applicationToken ?? '']
    )
    return rows.length === 1
  }

  /** Creates the tables, then writes and deletes a probe lease and updates no token row (read-only or denied fails). */
  async check (): Promise<void> {
    const probe = `check:${randomBytes(8).toString('hex')}`
    try {
      await this.#createTables()
      await this.#client.query(`INSERT INTO ${this.#locks} (key, holder, expires_at) VALUES ($1, 'check', clock_timestamp())`, [probe])
      await this.#client.query(`DELETE FROM ${this.#locks} WHERE key = $1`, [probe])
      await this.#client.query(`UPDATE ${this.#table} SET updated_at = updated_at WHERE false`)
    } catch (error) {
      const reason = driverCodeOf(error)
      throw new ERR_TOKEN_STORE_UNWRITABLE(`a PostgreSQL write was refused${reason === undefined ? '' : ` (${reason})`}`, { cause: error })
    }
  }

  async #query (text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }> {
    await this.#createTables()
    try {
      return await this.#client.query(text, values)
    } catch (error) {
      throw new ERR_TOKEN_STORE('a PostgreSQL query failed', { cause: error })
    }
  }

  async #createTables (): Promise<void> {
    // Replicas starting together race on CREATE TABLE IF NOT EXISTS (a unique violation in the catalog): once more then.
    const create = async (text: string): Promise<void> => {
      await this.#client.query(text).catch(async (error: unknown) => {
        if (!['23505', '42P07'].includes(String((error as { code?: unknown }).code))) throw error
        await this.#client.query(text)
      })
    }
    this.#ready ??= (async () => {
      await create(`CREATE TABLE IF NOT EXISTS ${this.#table} (
         member_id text PRIMARY KEY, tokens jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`)
      await create(`CREATE TABLE IF NOT EXISTS ${this.#locks} (
         key text PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL)`)
    })().catch((error: unknown) => {
      this.#ready = undefined
      throw new ERR_TOKEN_STORE('the token table cannot be created', { cause: error })
    })
    await this.#ready
  }
}
