import { PortalError, fieldsOf, idOf, listPage, validateKnown, validateType } from './portal-validation.js'

/** One column of a table on the fake portal. */
export interface StoredColumn {
  id: number
  datasetId: number
  type: string
  name: string
  externalCode: string
  visible: boolean
  description: string
}

/** One table (`biconnector.table.*`) on the fake portal. */
export interface StoredTable extends Record<string, unknown> {
  id: number
  sourceId: number
  type: 'rest'
  name: string
  description: string
  externalCode: string
  externalName: string
  dateCreate: string
  dateUpdate: string | null
  fields: StoredColumn[]
}

const TABLE_FIELDS = ['name', 'externalName', 'externalCode', 'sourceId', 'description', 'fields']
const TABLE_REQUIRED = ['name', 'externalName', 'externalCode', 'sourceId', 'fields']
const COLUMN_TYPES = ['int', 'string', 'double', 'date', 'datetime', 'money', 'timezone']
const TABLE_NAME = /^[a-z][a-z0-9_]*$/
const COLUMN_NAME = /^[A-Z][A-Z0-9_]*$/

const now = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ')

/** The `biconnector.table.*` methods, on tables of sources `sourceExists` knows (names are portal-wide). */
export class TableMethods {
  readonly tables = new Map<number, StoredTable>()
  /** Names taken by tables the application did not create (BI Builder's own): `NAME_EXISTS`. */
  readonly takenNames = new Set<string>()
  #nextTable = 1
  #nextColumn = 1

  constructor (private readonly sourceExists: (id: number) => boolean) {}

  /** Runs one `biconnector.table.*` method. */
  call (method: string, params: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'biconnector.table.add': return { result: { id: this.#add(fieldsOf(params)) } }
      case 'biconnector.table.update': {
        const table = this.#table(params)
        const fields = fieldsOf(params)
        if ('fields' in fields) throw new PortalError('INVALID_METHOD', 'Use the method "biconnector.dataset.fields.update" to update the dataset fields."')
        const immutable = Object.keys(fields).find((key) => TABLE_FIELDS.includes(key) && key !== 'description')
        if (immutable !== undefined) throw new PortalError('VALIDATION_IMMUTABLE_FIELD', `Field "${immutable}" is immutable.`)
        validateKnown(fields, ['description'], undefined)
        validateType(fields, 'description', 'string', (value) => typeof value === 'string')
        table.description = String(fields.description ?? table.description)
        table.dateUpdate = now()
        return { result: true }
      }
      case 'biconnector.table.get': {
        const { sourceId: _source, ...item } = this.#table(params)
        return { result: { item: { ...item, fields: item.fields.map((column) => ({ ...column })) } } }
      }
      case 'biconnector.table.list':
        return listPage([...this.tables.values()].map(({ fields: _columns, ...table }) => table), params)
      case 'biconnector.table.delete':
        this.tables.delete(this.#table(params).id)
        return { result: true }
      case 'biconnector.table.fields.update': return this.#updateColumns(this.#table(params), params)
      case 'biconnector.table.fields':
        return { result: { fields: ['id', 'sourceId', 'type', 'name', 'description', 'externalCode', 'externalName', 'dateCreate', 'dateUpdate', 'fields'].map((title) => ({ title })) } }
      default: throw new PortalError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404)
    }
  }

  /** The tables of one source. */
  ofSource (sourceId: number): StoredTable[] {
    return [...this.tables.values()].filter((table) => table.sourceId === sourceId)
  }

  #table (params: Record<string, unknown>): StoredTable {
    const table = this.tables.get(idOf(params))
    if (table === undefined) throw new PortalError('DATASET_NOT_FOUND', 'Dataset was not found.')
    return table
  }

  #add (fields: Record<string, unknown>): number {
    validateKnown(fields, TABLE_FIELDS, TABLE_REQUIRED)
    for (const key of ['name', 'externalName', 'externalCode', 'description']) validateType(fields, key, 'string', (value) => typeof value === 'string')
    validateType(fields, 'sourceId', 'integer', (value) => Number.isInteger(Number(value)))
    validateType(fields, 'fields', 'array', Array.isArray)
    if (!this.sourceExists(Number(fields.sourceId))) throw new PortalError('SOURCE_NOT_FOUND', 'Source was not found.')
    const name = String(fields.name)
    if (!TABLE_NAME.test(name)) {
      throw new PortalError('VALIDATION_DATASET_NAME_INVALID', 'Dataset name has to start with a lowercase Latin character. Possible entry includes lowercase Latin characters (a-z), numbers (0-9) and underscores.')
    }
    if (name.length > 230) throw new PortalError('VALIDATION_DATASET_NAME_TOO_LONG', 'Dataset name must not exceed 230 characters.')
    for (const key of ['externalName', 'externalCode']) {
      if (String(fields[key]).length > 512) throw new PortalError('VALIDATION_INVALID_FIELD_TYPE', `Field "${key}" must be of type string(512).`)
    }
    if (this.takenNames.has(name) || [...this.tables.values()].some((table) => table.name === name)) {
      throw new PortalError('NAME_EXISTS', `A table named "${name}" already exists.`)
    }
    const columns = fields.fields as unknown[]
    if (columns.length === 0) throw new PortalError('FIELDS_EMPTY', '$fields is empty')
    this.#checkColumns(columns, [])
    const id = this.#nextTable++
    this.tables.set(id, {
      id,
      sourceId: Number(fields.sourceId),
      type: 'rest',
      name,
      description: String(fields.description ?? ''),
      externalCode: String(fields.externalCode),
      externalName: String(fields.externalName),
      dateCreate: now(),
      dateUpdate: null,
      createdById: 1,
      updatedById: 0,
      externalId: 0,
      csvDelimiter: '',
      csvEncoding: '',
      csvHasHeaders: false,
      fields: columns.map((column) => this.#column(id, column as Record<string, string>))
    })
    return id
  }

  #column (datasetId: number, column: Record<string, string>): StoredColumn {
    return { id: this.#nextColumn++, datasetId, type: column.type ?? '', name: column.name ?? '', externalCode: column.externalCode ?? '', visible: true, description: '' }
  }

  #checkColumns (columns: unknown[], existing: readonly StoredColumn[]): void {
    for (const raw of columns) {
      const column = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
      if (typeof column.name !== 'string' || typeof column.externalCode !== 'string' || typeof column.type !== 'string' ||
        column.name === '' || column.externalCode === '') {
        throw new PortalError('VALIDATION_FIELD_MISSING_REQUIRED_PARAMETERS', 'Field must include the required parameters: "name", "externalCode" and "type".')
      }
      if (!COLUMN_NAME.test(column.name)) {
        throw new PortalError('VALIDATION_FIELD_NAME_INVALID_FORMAT', 'Field "name" has to start with an uppercase Latin character. Possible entry includes uppercase Latin characters (A-Z), numbers (0-9) and underscores.')
      }
      if (column.name.length > 32) throw new PortalError('VALIDATION_FIELD_NAME_TOO_LONG', 'Field "name" must not exceed 32 characters.')
      if (!COLUMN_TYPES.includes(column.type)) throw new PortalError('VALIDATION_FIELD_INVALID_TYPE', 'Invalid field type.')
    }
    const all = [...existing, ...columns as StoredColumn[]]
    const names = all.map((column) => column.name)
    const duplicateNames = names.filter((name, index) => names.indexOf(name) !== index)
    if (duplicateNames.length > 0) throw new PortalError('DUPLICATE_FIELDS', `Duplicate column names: ${duplicateNames.join(', ')}.`)
    const codes = all.map((column) => column.externalCode)
    const duplicateCodes = codes.filter((code, index) => codes.indexOf(code) !== index)
    if (duplicateCodes.length > 0) throw new PortalError('VALIDATION_DUPLICATE_FIELD_CODE', `Duplicate values found in the "code" parameter: ${duplicateCodes.join(', ')}`)
  }

  #updateColumns (table: StoredTable, params: Record<string, unknown>): Record<string, unknown> {
    const add = Array.isArray(params.add) ? params.add : []
    const update = Array.isArray(params.update) ? params.update as Array<Record<string, unknown>> : []
    const remove = Array.isArray(params.delete) ? params.delete.map(Number) : []
    for (const change of update) {
      const column = table.fields.find((item) => item.id === Number(change.id))
      if (column !== undefined && typeof change.visible === 'boolean') column.visible = change.visible
    }
    this.#checkColumns(add, table.fields)
    table.fields.push(...add.map((column) => this.#column(table.id, column as Record<string, string>)))
    table.fields = table.fields.filter((column) => !remove.includes(column.id))
    if (add.length + update.length + remove.length > 0) table.dateUpdate = now()
    return { result: true }
  }
}
