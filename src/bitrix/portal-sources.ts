import { ERR_REST_FAILED } from '../core/errors.js'
import type { RestClient } from './rest-client.js'

/** A source as `biconnector.source.get` answers it, flattened. */
export interface PortalSource {
  id: number
  connectorId: number
  title: string
  description: string
  active: boolean
  /** The connection settings: code to value (secrets: never print them). */
  settings: Record<string, string>
}

/**
 * Reads one source (`biconnector.source.get`: `result.item.connection`, `connectorId`, `settings[{code, value}]`).
 *
 * @example
 * const { connectorId, settings } = await getSource(client, 7)
 */
export async function getSource (client: RestClient, id: number): Promise<PortalSource> {
  const answer = await client.call<{ item?: Record<string, unknown> }>('biconnector.source.get', { id })
  const item = answer?.item
  if (typeof item !== 'object' || item === null) throw new ERR_REST_FAILED('biconnector.source.get', 'the answer holds no item')
  const connection = (typeof item.connection === 'object' && item.connection !== null ? item.connection : item) as Record<string, unknown>
  const listed = Array.isArray(item.settings) ? item.settings as Array<Record<string, unknown>> : []
  return {
    id: Number(connection.id ?? id),
    connectorId: Number(item.connectorId),
    title: String(connection.title ?? ''),
    description: String(connection.description ?? ''),
    active: connection.active !== false && connection.active !== 'N',
    settings: Object.fromEntries(listed.map((setting) => [String(setting.code ?? ''), String(setting.value ?? '')]))
  }
}

/** The connector URLs the portal calls (`biconnector.connector.get`: `result.item`). */
export async function getConnector (client: RestClient, id: number): Promise<Record<string, unknown> & { id: number, title: string }> {
  const answer = await client.call<{ item?: Record<string, unknown> }>('biconnector.connector.get', { id })
  const item = answer?.item
  if (typeof item !== 'object' || item === null) throw new ERR_REST_FAILED('biconnector.connector.get', 'the answer holds no item')
  return { ...item, id: Number(item.id ?? id), title: String(item.title ?? '') }
}

/**
 * The id of the source titled `title` of connector `connectorId`, added (`biconnector.source.add`, the portal checks
 * the connection) when there is none. Existing settings are left as they are.
 */
export async function ensureSource (client: RestClient, connectorId: number, title: string, settings: Readonly<Record<string, string>>): Promise<{ id: number, action: 'added' | 'found' }> {
  const listed = await client.list<Record<string, unknown>>('biconnector.source.list', { filter: { connectorId, title } })
  const found = listed.find((item) => Number(item.connectorId) === connectorId && item.title === title)
  if (found !== undefined) return { id: Number(found.id), action: 'found' }
  const answer = await client.call<{ id?: unknown }>('biconnector.source.add', { fields: { title, connectorId, settings } })
  const id = Number(answer?.id)
  if (!Number.isInteger(id) || id <= 0) throw new ERR_REST_FAILED('biconnector.source.add', 'the answer holds no source id')
  return { id, action: 'added' }
}
