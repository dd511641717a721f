import type { InstallPluginOptions } from '../../plugins/install.js'
import { ERR_CONFIG_INVALID } from '../errors.js'
import { openTokenStore } from './token-store-config.js'

/** What the install flow needs from the configuration; off unless `clientId` is set. */
export interface InstallConfig {
  /** The local application's client id. */
  clientId: string
  /** Its client secret. */
  clientSecret: string
  /** The public base URL the portal reaches the connector at. */
  publicUrl: string
  /** The connector's title. Default `b24bi connector`. */
  title?: string
  description?: string
  logo?: string
  sort?: number
  supportMapping?: boolean
  /** `file:<path>` (default `.b24bi/tokens.json`), `postgres://...` or `redis://...`. */
  tokenStore?: string
  /** Default the vendor's OAuth server. */
  oauthServer?: string
  /** Create the portal tables on install (see `InstallPluginOptions.syncTables`). Default off. */
  syncTables?: InstallPluginOptions['syncTables']
}

/** `B24BI_SYNC_TABLES_SOURCE` (a source title), `B24BI_SYNC_TABLES_SETTINGS` (a JSON object), `B24BI_SYNC_TABLES_PREFIX`. */
function syncTablesFromEnv (env: NodeJS.ProcessEnv): InstallConfig['syncTables'] {
  const title = env.B24BI_SYNC_TABLES_SOURCE
  if (title === undefined || title === '') return undefined
  let settings: unknown
  try {
    settings = JSON.parse(env.B24BI_SYNC_TABLES_SETTINGS ?? '{}')
  } catch (error) {
    throw new ERR_CONFIG_INVALID('B24BI_SYNC_TABLES_SETTINGS', 'not JSON', { cause: error })
  }
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings) || Object.values(settings).some((value) => typeof value !== 'string')) {
    throw new ERR_CONFIG_INVALID('B24BI_SYNC_TABLES_SETTINGS', 'expected a JSON object of strings, e.g. {"token":"..."}')
  }
  const prefix = env.B24BI_SYNC_TABLES_PREFIX
  return { source: { title, settings: settings as Record<string, string> }, ...(prefix === undefined || prefix === '' ? {} : { prefix }) }
}

/**
 * Reads the install flow's settings from env vars: `B24BI_CLIENT_ID`, `B24BI_CLIENT_SECRET`, `B24BI_PUBLIC_URL`,
 * `B24BI_CONNECTOR_TITLE`, `B24BI_TOKEN_STORE`, `B24BI_OAUTH_SERVER`, and the install-time table sync
 * (`B24BI_SYNC_TABLES_SOURCE`, `B24BI_SYNC_TABLES_SETTINGS`, `B24BI_SYNC_TABLES_PREFIX`). Undefined (the flow stays
 * off) without a client id.
 */
export function installConfigFromEnv (env: NodeJS.ProcessEnv): InstallConfig | undefined {
  const clientId = env.B24BI_CLIENT_ID
  if (clientId === undefined || clientId === '') return undefined
  const clientSecret = env.B24BI_CLIENT_SECRET ?? ''
  const publicUrl = env.B24BI_PUBLIC_URL ?? ''
  if (clientSecret === '') throw new ERR_CONFIG_INVALID('B24BI_CLIENT_SECRET', 'required with B24BI_CLIENT_ID')
  if (publicUrl === '') throw new ERR_CONFIG_INVALID('B24BI_PUBLIC_URL', 'required with B24BI_CLIENT_ID')
  const syncTables = syncTablesFromEnv(env)
  return {
    clientId,
    clientSecret,
    publicUrl,
    ...(env.B24BI_CONNECTOR_TITLE !== undefined && env.B24BI_CONNECTOR_TITLE !== '' ? { title: env.B24BI_CONNECTOR_TITLE } : {}),
    ...(env.B24BI_TOKEN_STORE !== undefined && env.B24BI_TOKEN_STORE !== '' ? { tokenStore: env.B24BI_TOKEN_STORE } : {}),
    ...(env.B24BI_OAUTH_SERVER !== undefined && env.B24BI_OAUTH_SERVER !== '' ? { oauthServer: env.B24BI_OAUTH_SERVER } : {}),
    ...(syncTables === undefined ? {} : { syncTables })
  }
}

/**
 * The connection settings the app page uses (`B24BI_APP_CONNECTION`, a JSON object of setting code → value, e.g.
 * `{"token":"…"}`): the page reads tables, previews and runs the connection test with them, on the server only.
 */
export function appConnectionFromEnv (env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const raw = env.B24BI_APP_CONNECTION
  if (raw === undefined || raw === '') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (error) {
    throw new ERR_CONFIG_INVALID('B24BI_APP_CONNECTION', 'not JSON', { cause: error })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ERR_CONFIG_INVALID('B24BI_APP_CONNECTION', 'a JSON object of setting code → value')
  return Object.fromEntries(Object.entries(parsed).map(([code, value]) => [code, String(value)]))
}

/**
 * Turns an `InstallConfig` into `installPlugin` options, opening the token store's driver.
 * Call `close` on shutdown (after the server closed).
 *
 * @example
 * const install = installConfigFromEnv(process.env)
 * if (install !== undefined) {
 *   const { options, close } = await installPluginOptions(install)
 *   await fastify.register(installPlugin, options)
 *   fastify.addHook('onClose', close)
 * }
 */
export async function installPluginOptions (config: InstallConfig): Promise<{ options: InstallPluginOptions, close: () => Promise<void> }> {
  const opened = await openTokenStore(config.tokenStore)
  return {
    options: {
      tokens: opened.store,
      application: { clientId: config.clientId, clientSecret: config.clientSecret, ...(config.oauthServer === undefined ? {} : { server: config.oauthServer }) },
      connector: {
        title: config.title ?? 'b24bi connector',
        publicUrl: config.publicUrl,
        ...(config.description === undefined ? {} : { description: config.description }),
        ...(config.logo === undefined ? {} : { logo: config.logo }),
        ...(config.sort === undefined ? {} : { sort: config.sort }),
        ...(config.supportMapping === undefined ? {} : { supportMapping: config.supportMapping })
      },
      ...(config.syncTables === undefined ? {} : { syncTables: config.syncTables })
    },
    close: opened.close
  }
}
