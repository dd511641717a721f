import type { Setting } from '../adapter.js'
import { DEFAULT_PATHS, type ConnectorPaths } from '../endpoints.js'
import { ERR_CONFIG_INVALID } from '../errors.js'
import type { RestClient } from './rest-client.js'


/** A small neutral logo (the portal requires one). */
export const DEFAULT_LOGO = 'data:image/svg+xml;base64,' + Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="22" viewBox="0 0 22 22"><circle cx="11" cy="11" r="10" fill="#2FC6F6"/>' +
  '<text x="11" y="14" font-family="Arial" font-size="7" fill="#fff" text-anchor="middle" font-weight="bold">BI</text></svg>'
).toString('base64')

/** What is registered with `biconnector.connector.add`; defaults in the comments. */
export interface ConnectorDefinition {
  /** The connector's name in the portal; also how a reinstall finds it again. */
  title: string
  /** The public base URL the portal reaches the connector at, e.g. `https://bi.example.com`. */
  publicUrl: string
  /** The settings the portal asks the user for (the adapter's `settings`). */
  settings: readonly Setting[]
  /** A logo URL or `data:` URL. Default a small built-in SVG. */
  logo?: string
  /** Default none. */
  description?: string
  /** Default 100. */
  sort?: number
  /** True when the connector understands `mapFields`. Default false. */
  supportMapping?: boolean
  /** Paths of the four endpoints below `publicUrl`. Default `/api/check`, `/api/table_list`, `/api/table_description`, `/api/data`. */
  paths?: Partial<ConnectorPaths>
}

/** The `fields` object of `biconnector.connector.add` / `.update` for `definition`. */
export function connectorFields (definition: ConnectorDefinition): Record<string, unknown> {
  let base: URL
  try {
    base = new URL(definition.publicUrl)
  } catch (error) {
    throw new ERR_CONFIG_INVALID('public URL', 'not a URL', { cause: error })
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new ERR_CONFIG_INVALID('public URL', 'use https://')
  if (definition.title.trim() === '') throw new ERR_CONFIG_INVALID('title', 'must not be empty')
  const root = base.href.replace(/\/+$/, '')
  const paths = { ...DEFAULT_PATHS, ...definition.paths }
  return {
    title: definition.title,
    logo: definition.logo ?? DEFAULT_LOGO,
    description: definition.description ?? '',
    sort: definition.sort ?? 100,
    urlCheck: root + paths.check,
    urlTableList: root + paths.tableList,
    urlTableDescription: root + paths.tableDescription,
    urlData: root + paths.data,
    settings: definition.settings.map(({ code, name, type }) => ({ code, name, type })),
    supportMapping: definition.supportMapping ?? false
  }
}

/** A connector as `biconnector.connector.list` answers it (ids may arrive as strings). */
export interface ListedConnector {
  id: number
  title: string
  [field: string]: unknown
}

/** Every connector this application created on the portal. */
export async function listConnectors (client: RestClient, filter: Record<string, unknown> = {}): Promise<ListedConnector[]> {
  const items = await client.list<Record<string, unknown>>('biconnector.connector.list', { filter })
  return items.map((item) => ({ ...item, id: Number(item.id), title: String(item.title ?? '') }))
}

/** What `registerConnector` did. */
export interface Registration {
  id: number
  action: 'added' | 'updated'
}

/**
 * Registers the connector idempotently: an existing connector with the same title is updated
 * (`biconnector.connector.update`), otherwise one is added (`biconnector.connector.add`).
 */
export async function registerConnector (client: RestClient, definition: ConnectorDefinition): Promise<Registration> {
  const fields = connectorFields(definition)
  const existing = (await listConnectors(client, { title: definition.title })).find((item) => item.title === definition.title)
  if (existing !== undefined) {
    await client.call('biconnector.connector.update', { id: existing.id, fields })
    return { id: existing.id, action: 'updated' }
  }
  const { id } = await client.call<{ id: number | string }>('biconnector.connector.add', { fields })
  return { id: Number(id), action: 'added' }
}
