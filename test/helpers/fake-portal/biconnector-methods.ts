import { phpFormEncode } from '../../../src/probe/php-form.js'
import { PortalError, fieldsOf, idOf, listPage, validateKnown, validateType } from './portal-validation.js'
import { TableMethods } from './table-methods.js'

export { PortalError } from './portal-validation.js'

/** One connector as stored on the fake portal. */
export interface StoredConnector extends Record<string, unknown> {
  id: number
  title: string
  dateCreate: string
}

/** One source as stored on the fake portal. */
export interface StoredSource extends Record<string, unknown> {
  id: number
  connectorId: number
  title: string
  settings: Record<string, string>
}

/** The connector fields the newest portal module knows (`biconnector.connector.fields`). */
export const NEWEST_CONNECTOR_FIELDS: readonly string[] = [
  'title', 'logo', 'description', 'sort', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'settings', 'supportMapping', 'sourceCode'
]
const CONNECTOR_REQUIRED = ['title', 'logo', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'settings']
const SOURCE_FIELDS = ['title', 'description', 'active', 'connectorId', 'settings']
const SOURCE_REQUIRED = ['title', 'connectorId', 'settings']

function validateConnector (fields: Record<string, unknown>, known: readonly string[], adding: boolean): void {
  validateKnown(fields, known, adding ? CONNECTOR_REQUIRED : undefined)
  for (const key of ['title', 'logo', 'description', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'sourceCode']) {
    validateType(fields, key, 'string', (value) => typeof value === 'string')
  }
  validateType(fields, 'sort', 'int', (value) => Number.isInteger(Number(value)))
  validateType(fields, 'supportMapping', 'boolean', (value) => typeof value === 'boolean')
  validateType(fields, 'settings', 'array', Array.isArray)
  validateType(fields, 'sourceCode', 'string(64)', (value) => String(value).length <= 64)
  for (const setting of (fields.settings ?? []) as Array<Record<string, unknown>>) {
    if (typeof setting?.type !== 'string' || typeof setting.name !== 'string' || typeof setting.code !== 'string' ||
      setting.name === '' || setting.code === '') {
      throw new PortalError('VALIDATION_SETTINGS_MISSING_REQUIRED_FIELDS', 'Settings must include "type", "name" and "code" fields.')
    }
    if (setting.name.length >= 512) throw new PortalError('VALIDATION_SETTINGS_NAME_TOO_LONG', 'Parameter "name" must be less than 512 characters.')
    if (setting.code.length >= 512) throw new PortalError('VALIDATION_SETTINGS_CODE_TOO_LONG', 'Parameter "code" must be less than 512 characters.')
    if (!['STRING', 'INT'].includes(setting.type)) throw new PortalError('VALIDATION_SETTINGS_INVALID_TYPE', 'Parameter "type" is not correct.')
  }
}

/** The `biconnector.*` methods of the fake portal, on its in-memory state. */
export class BiconnectorState {
  readonly connectors = new Map<number, StoredConnector>()
  readonly sources = new Map<number, StoredSource>()
  readonly tables = new TableMethods((id) => this.sources.has(id))
  /** What `biconnector.connector.fields` answers; set a shorter list to play an older portal module. */
  connectorFields: readonly string[] = NEWEST_CONNECTOR_FIELDS
  /** Every urlCheck call made on source.add and source.update: the form body sent. */
  readonly checkCalls: string[] = []
  #nextId = 1

  /** Runs one method; returns the answer body fields (`result`). */
  async call (method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (method.startsWith('biconnector.table.')) return this.tables.call(method, params)
    switch (method) {
      case 'biconnector.connector.fields':
        return { result: { fields: this.connectorFields.map((title) => ({ title, isRequired: CONNECTOR_REQUIRED.includes(title), isReadOnly: false })) } }
      case 'biconnector.connector.add': {
        const fields = fieldsOf(params)
        validateConnector(fields, this.connectorFields, true)
        const id = this.#nextId++
        this.connectors.set(id, { sort: 100, description: '', ...fields, id, dateCreate: new Date().toISOString() } as unknown as StoredConnector)
        return { result: { id } }
      }
      case 'biconnector.connector.update': {
        const id = idOf(params)
        const fields = fieldsOf(params)
        validateConnector(fields, this.connectorFields, false)
        const connector = this.connectors.get(id)
        if (connector === undefined) throw new PortalError('CONNECTOR_NOT_FOUND', 'Connector was not found.')
        this.connectors.set(id, { ...connector, ...fields })
        return { result: true }
      }
      case 'biconnector.connector.get': return { result: { item: this.#connector(params) } }
      case 'biconnector.connector.list': return listPage([...this.connectors.values()].map((item) => ({ ...item, id: String(item.id) })), params)
      case 'biconnector.connector.delete':
        this.connectors.delete(this.#connector(params).id)
        return { result: true }
      case 'biconnector.source.add': return await this.#addSource(fieldsOf(params))
      case 'biconnector.source.update': return await this.#updateSource(params)
      case 'biconnector.source.get': {
        const source = this.#source(params)
        const connector = this.connectors.get(source.connectorId)
        const declared = (connector?.settings ?? []) as Array<Record<string, string>>
        return {
          result: {
            item: {
              connection: { id: source.id, type: 'rest', code: `rest_${source.id}`, title: source.title, description: source.description, active: source.active },
              connectorId: source.connectorId,
              settings: Object.entries(source.settings).map(([code, value], index) => {
                const setting = declared.find((item) => item.code === code)
                return { code, name: setting?.name ?? code, type: setting?.type ?? 'STRING', value, id: index + 1 }
              })
            }
          }
        }
      }
      case 'biconnector.source.list': return listPage([...this.sources.values()].map(({ settings: _secret, ...source }) => source), params)
      case 'biconnector.source.delete': {
        const source = this.#source(params)
        if (this.tables.ofSource(source.id).length > 0) throw new PortalError('BX_ERROR', 'Cannot delete source. Delete all related datasets first.')
        this.sources.delete(source.id)
        return { result: true }
      }
      default: throw new PortalError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404)
    }
  }

  #connector (params: Record<string, unknown>): StoredConnector {
    const connector = this.connectors.get(idOf(params))
    if (connector === undefined) throw new PortalError('CONNECTOR_NOT_FOUND', 'Connector was not found.')
    return connector
  }

  #source (params: Record<string, unknown>): StoredSource {
    const source = this.sources.get(idOf(params))
    if (source === undefined) throw new PortalError('SOURCE_NOT_FOUND', 'Source was not found.')
    return source
  }

  /** The portal calls the connector's urlCheck with the settings form-encoded; anything but a 200 with a body fails. */
  async #check (connector: StoredConnector, settings: Record<string, string>): Promise<boolean> {
    const body = phpFormEncode({ connection: settings })
    this.checkCalls.push(body)
    try {
      const response = await fetch(String(connector.urlCheck), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body
      })
      return response.status === 200 && (await response.text()).length > 0
    } catch {
      return false
    }
  }

  async #addSource (fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    validateKnown(fields, SOURCE_FIELDS, SOURCE_REQUIRED)
    validateType(fields, 'connectorId', 'integer', (value) => Number.isInteger(Number(value)))
    validateType(fields, 'settings', 'object', (value) => typeof value === 'object' && value !== null && !Array.isArray(value))
    const connector = this.connectors.get(Number(fields.connectorId))
    if (connector === undefined) throw new PortalError('CONNECTOR_NOT_FOUND', 'Connector was not found.')
    const settings = fields.settings as Record<string, string>
    if (!await this.#check(connector, settings)) throw new PortalError('SOURCE_CREATE_CONNECTION_ERROR', 'Cannot create connection.')
    const id = this.#nextId++
    this.sources.set(id, { description: '', active: true, ...fields, connectorId: connector.id, id, title: String(fields.title), settings })
    return { result: { id } }
  }

  async #updateSource (params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const source = this.#source(params)
    const fields = fieldsOf(params)
    if ('connectorId' in fields) throw new PortalError('VALIDATION_IMMUTABLE_FIELD', 'Field "connectorId" is immutable.')
    validateKnown(fields, SOURCE_FIELDS, undefined)
    validateType(fields, 'settings', 'object', (value) => typeof value === 'object' && value !== null && !Array.isArray(value))
    validateType(fields, 'active', 'boolean', (value) => typeof value === 'boolean')
    if (fields.settings !== undefined) {
      const connector = this.connectors.get(source.connectorId)
      if (connector === undefined || !await this.#check(connector, fields.settings as Record<string, string>)) {
        throw new PortalError('SOURCE_UPDATE_CONNECTION_ERROR', 'Cannot update connection.')
      }
    }
    Object.assign(source, fields)
    return { result: true }
  }
}
