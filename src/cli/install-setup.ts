import type { InstallPluginOptions } from '../../plugins/install.js'
import { ERR_TOKEN_STORE_NOT_SHARED, ERR_TOKEN_STORE_UNWRITABLE, isB24biError } from '../core/errors.js'
import { checkTokenStore } from '../bitrix/token-store/token-store.js'
import { DEFAULT_TOKEN_FILE } from '../bitrix/token-store/file-token-store.js'
import { loadConfig } from './config.js'
import type { Config } from './config-schema.js'
import { isSharedTokenStore, openTokenStore } from './token-store-config.js'

/**
 * What the install flow needs: the configuration's `install` settings (their meaning and defaults are in the
 * config schema) with the three it cannot run without. The flow is off unless `clientId` is set.
 */
export type InstallConfig = NonNullable<Config['install']> & { clientId: string, clientSecret: string, publicUrl: string }

/**
 * The install flow's settings from the configuration (`install` in the config file; `B24BI_CLIENT_ID`,
 * `B24BI_CLIENT_SECRET`, `B24BI_PUBLIC_URL`, `B24BI_CONNECTOR_TITLE`, `B24BI_TOKEN_STORE`, `B24BI_OAUTH_SERVER`, `B24BI_OAUTH_REST_SERVER`, `B24BI_PORTALS`,
 * `B24BI_SYNC_TABLES_SOURCE`, `B24BI_SYNC_TABLES_SETTINGS`, `B24BI_SYNC_TABLES_PREFIX` in the environment).
 * Undefined (the flow stays off) without a client id; `loadConfig` has checked the rest.
 */
export function installConfigOf (install: Config['install']): InstallConfig | undefined {
  if (install?.clientId === undefined || install.clientSecret === undefined || install.publicUrl === undefined) return undefined
  return { ...install, clientId: install.clientId, clientSecret: install.clientSecret, publicUrl: install.publicUrl }
}

/** The install flow's settings from env vars alone (see {@link installConfigOf}); a wrong one throws naming it. */
export function installConfigFromEnv (env: NodeJS.ProcessEnv): InstallConfig | undefined {
  return installConfigOf(loadConfig({ env }).install)
}

/**
 * Refuses a token store only one replica can use (the file store) unless `singleInstance` says there is one:
 * an install, a renewal or an uninstall may land on any replica, and each would see its own file.
 */
export function requireSharedTokenStore (config: InstallConfig): void {
  if (config.singleInstance === true || isSharedTokenStore(config.tokenStore)) return
  throw new ERR_TOKEN_STORE_NOT_SHARED(config.tokenStore ?? `file:${DEFAULT_TOKEN_FILE}`,
    'replicas must share one, so set install.tokenStore (B24BI_TOKEN_STORE) to postgres://... or redis://...; ' +
    'to run this connector as a single instance, set install.singleInstance (B24BI_SINGLE_INSTANCE=1)')
}

/**
 * Turns an `InstallConfig` into `installPlugin` options: refuses a store that is not shared (see
 * {@link requireSharedTokenStore}), opens the token store's driver and proves the store writable
 * (`B24BI_ERR_TOKEN_STORE_UNWRITABLE`, the store closed again), so a bad store stops the start, not an install.
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
  requireSharedTokenStore(config)
  const opened = await openTokenStore(config.tokenStore)
  try {
    await checkTokenStore(opened.store)
  } catch (error) {
    await opened.close().catch(() => undefined)
    throw isB24biError(error) ? error : new ERR_TOKEN_STORE_UNWRITABLE('its write check failed', { cause: error })
  }
  return {
    options: {
      tokens: opened.store,
      application: {
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        ...(config.oauthServer === undefined ? {} : { server: config.oauthServer }),
        ...(config.oauthRestServer === undefined ? {} : { restServer: config.oauthRestServer })
      },
      portals: {
        ...(config.portals === undefined ? {} : { allow: config.portals }),
        ...(config.portalHosts === undefined ? {} : { allowHosts: config.portalHosts }),
        ...(config.portalHttp === undefined ? {} : { allowHttp: config.portalHttp })
      },
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
