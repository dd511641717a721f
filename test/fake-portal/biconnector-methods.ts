import { phpFormEncode } from '../../src/cli/probe/php-form.js'

/** A vendor error answer: `{error, error_description}` with the status the portal uses. */
export class PortalError extends TypeError {
  constructor (readonly vendorCode: string, readonly description: string, readonly status = 200) {
    super(description)
  }
}

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

const CONNECTOR_FIELDS = ['title', 'logo', 'description', 'sort', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'settings', 'supportMapping', 'sourceCode']
const CONNECTOR_REQUIRED = ['title', 'logo', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'settings']
const SOURCE_FIELDS = ['title', 'description', 'active', 'connectorId', 'settings']
const SOURCE_REQUIRED = ['title', 'connectorId', 'settings']
const READ_ONLY = ['id', 'dateCreate', 'dateUpdate', 'createdById', 'updatedById']

function fieldsOf (params: Record<string, unknown>): Record<string, unknown> {
  const fields = params.fields
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new PortalError('VALIDATION_FIELDS_NOT_PROVIDED', 'Fields not provided.')
  }
  return fields as Record<string, unknown>
}

function validateKnown (fields: Record<string, unknown>, known: string[], required: string[] | undefined): void {
  const readOnly = Object.keys(fields).find((key) => READ_ONLY.includes(key))
  if (readOnly !== undefined) throw new PortalError('VALIDATION_READ_ONLY_FIELD', `Field "${readOnly}" is read only.`)
  const unknown = Object.keys(fields).filter((key) => !known.includes(key))
  if (unknown.length > 0) throw new PortalError('VALIDATION_UNKNOWN_PARAMETERS', `Unknown parameters: ${unknown.join(', ')}`)
  for (const key of required ?? []) {
    if (fields[key] === undefined || fields[key] === '') throw new PortalError('VALIDATION_REQUIRED_FIELD_MISSING', `Field "${key}" is required.`)
  }
}

function validateType (fields: Record<string, unknown>, key: string, type: string, ok: (value: unknown) => boolean): void {
  if (fields[key] !== undefined && !ok(fields[key])) throw new PortalError('VALIDATION_INVALID_FIELD_TYPE', `Field "${key}" must be of type ${type}.`)
}

function validateConnector (fields: Record<string, unknown>, adding: boolean): void {
  validateKnown(fields, CONNECTOR_FIELDS, adding ? CONNECTOR_REQUIRED : undefined)
  for (const key of ['title', 'logo', 'description', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'sourceCode']) {
    validateType(fields, key, 'string', (value) => typeof value === 'string')
  }
  validateType(fields, 'sort', 'int', (value) => Number.isInteger(Number(value)))
  validateType(fields, 'supportMapping', 'boolean', (value) => typeof value === 'boolean')
  validateType(fields, 'settings', 'array', Array.isArray)
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

function idOf (params: Record<string, unknown>): number {
  if (params.id === undefined) throw new PortalError('VALIDATION_ID_NOT_PROVIDED', 'ID is missing.')
  const id = Number(params.id)
  if (!Number.isInteger(id) || id <= 0) throw new PortalError('VALIDATION_INVALID_ID_FORMAT', 'ID has to be a positive integer.')
  return id
}

/** Applies a list filter the way the docs describe the simple cases: `field`, `=field`, `%field`. */
function matches (item: Record<string, unknown>, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, value]) => {
    const like = key.startsWith('%')
    const field = key.replace(/^[=%]+/, '')
    const actual = String(item[field] ?? '')
    return like ? actual.includes(String(value)) : actual === String(value)
  })
}

const PAGE = 50

function page<T extends Record<string, unknown>> (items: T[], params: Record<string, unknown>): { result: unknown[], total: number, next?: number } {
  const filter = (params.filter ?? {}) as Record<string, unknown>
  const select = params.select as string[] | undefined
  const found = items.filter((item) => matches(item, filter))
  const start = Number(params.start ?? 0)
  const result = found.slice(start, start + PAGE).map((item) => {
    const shown = { ...item, id: String(item.id) }
    return select === undefined ? shown : Object.fromEntries(Object.entries(shown).filter(([key]) => select.includes(key) || key === 'id'))
  })
  return { result, total: found.length, ...(start + PAGE < found.length ? { next: start + PAGE } : {}) }
}

/** The `biconnector.*` methods of the fake portal, on its in-memory state. */
export class BiconnectorState {
  readonly connectors = new Map<number, StoredConnector>()
  readonly sources = new Map<number, StoredSource>()
  /** Every urlCheck call made on source.add: the form body sent. */
  readonly checkCalls: string[] = []
  #nextId = 1

  /** Runs one method; returns the answer body fields (`result`, `total`, `next`). */
  async call (method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    switch (method) {
      case 'biconnector.connector.add': {
        const fields = fieldsOf(params)
        validateConnector(fields, true)
        const id = this.#nextId++
        this.connectors.set(id, { sort: 100, description: '', ...fields, id, dateCreate: new Date().toISOString() } as unknown as StoredConnector)
        return { result: { id } }
      }
      case 'biconnector.connector.update': {
        const id = idOf(params)
        const fields = fieldsOf(params)
        validateConnector(fields, false)
        const connector = this.connectors.get(id)
        if (connector === undefined) throw new PortalError('CONNECTOR_NOT_FOUND', 'Connector was not found.')
        this.connectors.set(id, { ...connector, ...fields })
        return { result: true }
      }
      case 'biconnector.connector.get': {
        const connector = this.connectors.get(idOf(params))
        if (connector === undefined) throw new PortalError('CONNECTOR_NOT_FOUND', 'Connector was not found.')
        return { result: { item: connector } }
      }
      case 'biconnector.connector.list': return page([...this.connectors.values()], params)
      case 'biconnector.connector.delete': {
        const id = idOf(params)
        if (!this.connectors.delete(id)) throw new PortalError('CONNECTOR_NOT_FOUND', 'Connector was not found.')
        return { result: true }
      }
      case 'biconnector.source.add': return await this.#addSource(fieldsOf(params))
      case 'biconnector.source.list': return page([...this.sources.values()].map((source) => ({ ...source, settings: undefined })), params)
      case 'biconnector.source.delete': {
        if (!this.sources.delete(idOf(params))) throw new PortalError('SOURCE_NOT_FOUND', 'Source was not found.')
        return { result: true }
      }
      default: throw new PortalError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404)
    }
  }

  async #addSource (fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    validateKnown(fields, SOURCE_FIELDS, SOURCE_REQUIRED)
    validateType(fields, 'connectorId', 'integer', (value) => Number.isInteger(Number(value)))
    validateType(fields, 'settings', 'object', (value) => typeof value === 'object' && value !== null && !Array.isArray(value))
    const connector = this.connectors.get(Number(fields.connectorId))
    if (connector === undefined) throw new PortalError('CONNECTOR_NOT_FOUND', 'Connector was not found.')
    const settings = fields.settings as Record<string, string>
    const body = phpFormEncode({ connection: settings })
    this.checkCalls.push(body)
    let ok = false
    try {
      const response = await fetch(String(connector.urlCheck), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body
      })
      ok = response.status === 200 && (await response.text()).length > 0
    } catch {
      ok = false
    }
    if (!ok) throw new PortalError('SOURCE_CREATE_CONNECTION_ERROR', 'Cannot create connection.')
    const id = this.#nextId++
    this.sources.set(id, { description: '', active: true, ...fields, connectorId: connector.id, id, title: String(fields.title), settings })
    return { result: { id } }
  }
}
