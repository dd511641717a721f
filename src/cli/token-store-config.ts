import { ERR_CLI_USAGE } from '../core/errors.js'
import { loadDriver } from '../util/driver-load.js'
import { DEFAULT_TOKEN_FILE, FileTokenStore } from '../bitrix/token-store/file-token-store.js'
import type { TokenStore } from '../bitrix/token-store/token-store.js'

/** A token store and how to release its driver. */
export interface OpenedTokenStore {
  store: TokenStore
  close: () => Promise<void>
}

const POSTGRES_STORE = /^postgres(ql)?:\/\//
const REDIS_STORE = /^rediss?:\/\//

/** True when every replica can share the store named by `spec` (PostgreSQL or Redis); the file store is for one. */
export function isSharedTokenStore (spec: string | undefined): boolean {
  return spec !== undefined && (POSTGRES_STORE.test(spec) || REDIS_STORE.test(spec))
}

/**
 * Opens the token store named by `spec` (the composition root creates the drivers; the core never imports them):
 * `file:<path>` or a bare path (default `.b24bi/tokens.json`), `postgres://...` / `postgresql://...`, `redis://...`.
 */
export async function openTokenStore (spec: string | undefined): Promise<OpenedTokenStore> {
  const value = spec ?? `file:${DEFAULT_TOKEN_FILE}`
  if (POSTGRES_STORE.test(value)) {
    const { default: pg } = await loadDriver('pg', async () => await import('pg'))
    const { PostgresTokenStore } = await import('../bitrix/token-store/postgres-token-store.js')
    const pool = new pg.Pool({ connectionString: value, max: 2 })
    return { store: new PostgresTokenStore({ client: pool }), close: async () => await pool.end() }
  }
  if (REDIS_STORE.test(value)) {
    const { Redis } = await loadDriver('ioredis', async () => await import('ioredis'))
    const { RedisTokenStore } = await import('../bitrix/token-store/redis-token-store.js')
    const redis = new Redis(value, { lazyConnect: true, maxRetriesPerRequest: 2 })
    await redis.connect()
    return { store: new RedisTokenStore({ client: redis }), close: async () => { await redis.quit() } }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new ERR_CLI_USAGE(`unsupported token store '${value.split(':')[0] ?? ''}:'; use file:, postgres:// or redis://`)
  return { store: new FileTokenStore(value.replace(/^file:/, '')), close: async () => {} }
}
