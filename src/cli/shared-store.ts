import { loadDriver } from '../util/driver-load.js'
import { ERR_CONFIG_INVALID } from '../core/errors.js'
import type { SharedStoreOptions } from '../server/server-options.js'
import type { Config } from './config-schema.js'

/** Milliseconds a Redis connection or command may take before it fails (the limiters then let the call through). */
const REDIS_TIMEOUT_MS = 2000

/**
 * Connects the Redis replicas share their counts in (`sharedStore.url`, B24BI_SHARED_STORE), at start: an
 * unreachable store stops the start rather than the first request. Call `close` after the server closed.
 */
export async function openSharedStore (config: NonNullable<Config['sharedStore']>): Promise<{ options: SharedStoreOptions, close: () => Promise<void> }> {
  const { Redis } = await loadDriver('ioredis', async () => await import('ioredis'))
  const client = new Redis(config.url, { lazyConnect: true, connectTimeout: REDIS_TIMEOUT_MS, commandTimeout: REDIS_TIMEOUT_MS, maxRetriesPerRequest: 1 })
  // Errors after the start reach the commands (and the limiters' fail-open path); the client reconnects by itself.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw new ERR_CONFIG_INVALID('sharedStore.url (B24BI_SHARED_STORE)', 'the Redis cannot be reached', { cause: error })
  }
  return {
    options: { client: client as unknown as SharedStoreOptions['client'], prefix: config.prefix },
    close: async () => { await client.quit().catch(() => client.disconnect()) }
  }
}
