import { ERR_CLI_USAGE } from '../core/errors.js'
import { isPortalDomain, restEndpointOf } from '../bitrix/portal-url.js'
import { RestClient } from '../bitrix/rest-client.js'
import type { OptionSpec, ParsedArgs } from './args.js'
import { stringFlag } from './args.js'
import { openTokenStore } from './token-store-config.js'

/** The flags every portal-facing command takes. */
export const PORTAL_OPTIONS: OptionSpec = {
  webhook: { type: 'string' },
  'member-id': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'oauth-server': { type: 'string' },
  'token-store': { type: 'string' },
  'access-token': { type: 'string' },
  'refresh-token': { type: 'string' },
  domain: { type: 'string' },
  json: { type: 'boolean' }
}

/** The `--help` lines of `PORTAL_OPTIONS`. */
export const PORTAL_USAGE = `Portal access (flags, or the environment variable in brackets):
  --webhook URL          an incoming webhook https://<portal>/rest/<user>/<code>/ [B24BI_WEBHOOK]
                         (biconnector.connector.* refuse webhooks: use the application's tokens for them)
  --member-id ID         the portal whose stored tokens to use; default: the only one stored [B24BI_MEMBER_ID]
  --client-id ID         the local application's client id [B24BI_CLIENT_ID]
  --client-secret S      its client secret (prefer the env var) [B24BI_CLIENT_SECRET]
  --token-store SPEC     file:<path> (default .b24bi/tokens.json), postgres://..., redis://... [B24BI_TOKEN_STORE]
  --oauth-server URL     default https://oauth.bitrix.info/oauth/token/ [B24BI_OAUTH_SERVER]
  --domain HOST          with --access-token and --refresh-token: use (and store) these tokens [B24BI_DOMAIN]
  --access-token T       [B24BI_ACCESS_TOKEN]
  --refresh-token T      [B24BI_REFRESH_TOKEN]
  --json                 print data as JSON`

/** A REST client for the command and how to release what it opened. */
export interface PortalSession {
  client: RestClient
  /** How the client authenticates, for messages. */
  via: 'webhook' | 'oauth'
  close: () => Promise<void>
}

/** Builds the REST client from flags and env (the CLI is the edge: env vars are read here only). */
export async function openPortalSession (parsed: ParsedArgs, env: NodeJS.ProcessEnv): Promise<PortalSession> {
  const webhook = stringFlag(parsed, 'webhook', env.B24BI_WEBHOOK)
  if (webhook !== undefined) return { client: new RestClient({ auth: { webhook } }), via: 'webhook', close: async () => {} }
  const clientId = stringFlag(parsed, 'client-id', env.B24BI_CLIENT_ID)
  const clientSecret = stringFlag(parsed, 'client-secret', env.B24BI_CLIENT_SECRET)
  if (clientId === undefined || clientSecret === undefined) {
    throw new ERR_CLI_USAGE('give --webhook, or the application\'s --client-id and --client-secret (B24BI_CLIENT_ID, B24BI_CLIENT_SECRET)')
  }
  const opened = await openTokenStore(stringFlag(parsed, 'token-store', env.B24BI_TOKEN_STORE))
  try {
    let memberId = stringFlag(parsed, 'member-id', env.B24BI_MEMBER_ID)
    const accessToken = stringFlag(parsed, 'access-token', env.B24BI_ACCESS_TOKEN)
    const refreshToken = stringFlag(parsed, 'refresh-token', env.B24BI_REFRESH_TOKEN)
    const domain = stringFlag(parsed, 'domain', env.B24BI_DOMAIN)
    if (accessToken !== undefined || refreshToken !== undefined) {
      if (accessToken === undefined || refreshToken === undefined || domain === undefined) {
        throw new ERR_CLI_USAGE('given tokens need --access-token, --refresh-token and --domain together')
      }
      if (!isPortalDomain(domain)) throw new ERR_CLI_USAGE(`--domain '${domain}' is not a host name`)
      memberId ??= domain
      const known = await opened.store.get(memberId)
      await opened.store.set({ ...known, memberId, domain, restEndpoint: restEndpointOf(domain), accessToken, refreshToken })
    }
    if (memberId === undefined) {
      const stored = await opened.store.list()
      if (stored.length !== 1) {
        throw new ERR_CLI_USAGE(stored.length === 0
          ? 'no portal tokens are stored: install the application (install plugin) or give --access-token, --refresh-token and --domain'
          : `${stored.length} portals are stored: choose one with --member-id (${stored.join(', ')})`)
      }
      memberId = stored[0] as string
    }
    const server = stringFlag(parsed, 'oauth-server', env.B24BI_OAUTH_SERVER)
    const client = new RestClient({
      auth: { memberId, tokens: opened.store, application: { clientId, clientSecret, ...(server === undefined ? {} : { server }) } }
    })
    return { client, via: 'oauth', close: opened.close }
  } catch (error) {
    await opened.close()
    throw error
  }
}
