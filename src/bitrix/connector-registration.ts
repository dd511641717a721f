import type { Setting } from '../core/adapter.js'
import { DEFAULT_PATHS, type ConnectorPaths } from '../protocol/endpoints.js'
import { ERR_CONFIG_INVALID, ERR_CONNECTOR_INVALID, ERR_REST_FAILED } from '../core/errors.js'
import type { RestClient } from './rest-client.js'
import { isRestCallError } from './rest-errors.js'

/** A small neutral logo (the portal requires one). */
export const DEFAULT_LOGO = 'data:image/svg+xml;base64,' + Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="22" viewBox="0 0 22 22"><circle cx="11" cy="11" r="10" fill="#2FC6F6"/>' +
  '<text x="11" y="14" font-family="Arial" font-size="7" fill="#fff" text-anchor="middle" font-weight="bold">BI</text></svg>'
).toString('base64')

/** What is registered with `biconnector.connector.add`; defaults in the comments. */
export interface ConnectorDefinition {
  /** The connector's name in the portal (at most 512 characters); also how a reinstall finds it again. */
  title: string
  /** The public base URL the portal reaches the connector at, e.g. `https://bi.example.com`. */
  publicUrl: string
  /** The settings the portal asks the user for (the adapter's `settings`); names and codes under 512 characters. */
  settings: readonly Setting[]
  /** A logo URL or `data:` URL. Default a small built-in SVG. */
  logo?: string
  /** Default none. */
  description?: string
  /** Default 100. */
  sort?: number
  /**
   * The connector understands `mapFields` (the core resolves names and `mapFields` for every adapter). Sent only
   * when the portal's module knows the field (`biconnector.connector.fields`). Default true.
   */
  supportMapping?: boolean
  /** The portal's `sourceCode` of the connector (at most 64 characters), sent when the portal knows it. Default none. */
  sourceCode?: string
  /** Paths of the four endpoints below `publicUrl`. Default `/api/check`, `/api/table_list`, `/api/table_description`, `/api/data`. */
  paths?: Partial<ConnectorPaths>
}

/** The portal's limits on connector fields (its validation codes in the comments). */
export const CONNECTOR_LIMITS = Object.freeze({
  /** Characters of `title`. */
  title: 512,
  /** Characters of each URL. */
  url: 2048,
  /** Characters of a setting's `name` and `code`: "must be less than 512" (`VALIDATION_SETTINGS_NAME_TOO_LONG`). */
  setting: 511,
  /** Characters of `sourceCode`. */
  sourceCode: 64
})

/** Fields a portal may not know yet: left out when `biconnector.connector.fields` does not list them. */
const OPTIONAL_FIELDS = ['description', 'sort', 'supportMapping', 'sourceCode']

function checkLength (what: string, value: string, max: number): void {
  if (value.length > max) throw new ERR_CONNECTOR_INVALID(what, `${value.length} characters, the portal takes at most ${max}`)
}

/**
 * The `fields` object of `biconnector.connector.add` / `.update` for `definition`, checked against the portal's
 * limits before anything is sent (`B24BI_ERR_CONNECTOR_INVALID` names the field).
 */
export function connectorFields (definition: ConnectorDefinition): Record<string, unknown> {
  let base: URL
  try {
    base = new URL(definition.publicUrl)
  } catch (error) {
    throw new ERR_CONFIG_INVALID('public URL', 'not a URL', { cause: error })
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new ERR_CONFIG_INVALID('public URL', 'use https://')
  if (definition.title.trim() === '') throw new ERR_CONFIG_INVALID('title', 'must not be empty')
  checkLength('title', definition.title, CONNECTOR_LIMITS.title)
  const root = base.href.replace(/\/+$/, '')
  const paths = { ...DEFAULT_PATHS, ...definition.paths }
  const urls = {
    urlCheck: root + paths.check,
    urlTableList: root + paths.tableList,
    urlTableDescription: root + paths.tableDescription,
    urlData: root + paths.data
  }
  for (const [name, url] of Object.entries(urls)) checkLength(name, url, CONNECTOR_LIMITS.url)
  const settings = definition.settings.map(({ code, name, type }) => {
    if (code === '' || name === '') throw new ERR_CONNECTOR_INVALID('settings', 'every setting needs a code and a name')
    checkLength(`setting '${code.slice(0, 40)}' code`, code, CONNECTOR_LIMITS.setting)
    checkLength(`setting '${code.slice(0, 40)}' name`, name, CONNECTOR_LIMITS.setting)
    return { code, name, type }
  })
  if (definition.sourceCode !== undefined) checkLength('sourceCode', definition.sourceCode, CONNECTOR_LIMITS.sourceCode)
  return {
    title: definition.title,
    logo: definition.logo ?? DEFAULT_LOGO,
    description: definition.description ?? '',
    sort: definition.sort ?? 100,
    ...urls,
    settings,
    // The runtime resolves the portal's field names and mapFields for every adapter: every connector can map.
    supportMapping: definition.supportMapping ?? true,
    ...(definition.sourceCode === undefined ? {} : { sourceCode: definition.sourceCode })
  }
}

/**
 * The connector fields this portal's module knows (`biconnector.connector.fields`); a field it does not know
 * makes the whole add/update fail. A portal without the method answers undefined.
 */
export async function portalConnectorFields (client: RestClient): Promise<Set<string> | undefined> {
  let result: unknown
  try {
    result = await client.call('biconnector.connector.fields')
  } catch (error) {
    if (isRestCallError(error, 'ERROR_METHOD_NOT_FOUND', 'METHOD_NOT_FOUND')) return undefined
    throw error
  }
  const record = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>
  const listed = Array.isArray(record.fields) ? record.fields : Array.isArray(result) ? result : undefined
  if (listed !== undefined) {
    return new Set(listed.map((field) => typeof field === 'string' ? field : String((field as Record<string, unknown>)?.title ?? '')).filter(Boolean))
  }
  return new Set(Object.keys(record))
}

/** The fields to send: every optional field the portal does not know is left out (and reported). */
export function fieldsForPortal (fields: Record<string, unknown>, known: ReadonlySet<string> | undefined): { fields: Record<string, unknown>, omitted: string[] } {
  const keep = (key: string): boolean => known === undefined ? !['supportMapping', 'sourceCode'].includes(key) : known.has(key)
  const omitted = Object.keys(fields).filter((key) => OPTIONAL_FIELDS.includes(key) && !keep(key))
  return { fields: Object.fromEntries(Object.entries(fields).filter(([key]) => !omitted.includes(key))), omitted }
}

/** A connector as `biconnector.connector.list` answers it (ids may arrive as strings). */
export interface ListedConnector {
  id: number
  title: string
  [field: string]: unknown
}

/** Every connector this application created on the portal (every page). */
export async function listConnectors (client: RestClient, filter: Record<string, unknown> = {}): Promise<ListedConnector[]> {
  const items = await client.list<Record<string, unknown>>('biconnector.connector.list', { filter })
  return items.map((item) => ({ ...item, id: Number(item.id), title: String(item.title ?? '') }))
}

/** What `registerConnector` did. */
export interface Registration {
  id: number
  action: 'added' | 'updated'
  /** Optional fields left out because this portal does not know them (e.g. `supportMapping` on an older portal). */
  omitted: string[]
}

/**
 * Registers the connector idempotently: asks which fields the portal knows, then updates an existing connector
 * with the same title (`biconnector.connector.update`) or adds one (`biconnector.connector.add`). A refusal is a
 * `B24BI_ERR_REST_CALL` error carrying the portal's code; nothing is reported as done unless the portal said so.
 */
export async function registerConnector (client: RestClient, definition: ConnectorDefinition): Promise<Registration> {
  const { fields, omitted } = fieldsForPortal(connectorFields(definition), await portalConnectorFields(client))
  const existing = (await listConnectors(client, { title: definition.title })).find((item) => item.title === definition.title)
  if (existing !== undefined) {
    await client.call('biconnector.connector.update', { id: existing.id, fields })
    return { id: existing.id, action: 'updated', omitted }
  }
  const answer = await client.call<{ id?: unknown } | null>('biconnector.connector.add', { fields })
  const id = Number(answer?.id)
  if (!Number.isInteger(id) || id <= 0) throw new ERR_REST_FAILED('biconnector.connector.add', 'the answer holds no connector id')
  return { id, action: 'added', omitted }
}
