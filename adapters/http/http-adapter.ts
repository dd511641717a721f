import { Adapter, type Capabilities, type Connection, type ReadPlan, type RequestContext, type Row, type Setting } from '../../src/core/adapter.js'
import { ERR_AUTH_REJECTED, ERR_SOURCE_FAILED, isB24biError } from '../../src/core/errors.js'
import type { FieldInfo, TableInfo } from '../../src/core/field-types.js'
import type { DateTimeValue, FilterNode } from '../../src/core/filter-ast.js'
import { compilePredicate } from '../../src/adapter-kit/index.js'
import { ApiClient } from './http-client.js'
import { type HttpAdapterOptions, type HttpField, type HttpTable, interpolate, interpolateDeep, type ResolvedHttpOptions, resolveHttpOptions } from './http-options.js'
import { runtimeValue, inferFields, parseApiJson, valueAt } from './json-values.js'
import { type Page, readPages } from './pagination.js'

/**
 * Serves tables from REST/JSON APIs, declared in options: URL, method, headers and query with `{{setting}}`
 * placeholders, where the rows are, fields (declared or inferred from the first page), pagination (page number,
 * offset, cursor, Link header). Rows stream page by page; the next page is fetched only when the portal has
 * taken the previous one. Conditions the API filters by (`filters`) go into the query string; the adapter then
 * applies the whole pushed filter to each page again, so an API's looser matching never widens the answer;
 * everything else the runtime applies.
 *
 * @example
 * new HttpAdapter({
 *   baseUrl: 'https://api.example.com',
 *   settings: [{ code: 'apiKey', name: 'API key', type: 'STRING', secret: true }],
 *   headers: { authorization: 'Bearer {{apiKey}}' },
 *   tables: [{ code: 'orders', url: '/v1/orders', rows: 'data', pagination: { style: 'cursor', next: 'meta.next' },
 *     filters: [{ field: 'CREATED_AT', op: 'gte', param: 'created_from' }] }]
 * })
 */
export class HttpAdapter extends Adapter {
  override readonly settings: readonly Setting[]
  readonly #options: ResolvedHttpOptions
  readonly #tables: ReadonlyMap<string, HttpTable>
  readonly #inferred = new Map<string, { until: number, fields: Promise<HttpField[]> }>()
  readonly #pushable: ReadonlySet<string>
  #client: ApiClient | undefined

  constructor (options: HttpAdapterOptions) {
    super()
    this.#options = resolveHttpOptions(options)
    this.settings = this.#options.settings
    this.#tables = new Map(this.#options.tables.map((table) => [table.code, table]))
    this.#pushable = new Set(this.#options.tables.flatMap((table) => (table.filters ?? []).map((filter) => `${filter.field}\u0000${filter.op}`)))
  }

  override async init (): Promise<void> {
    this.#client = new ApiClient(this.#options)
  }

  /** Fetches the first page of `checkTable` (default: the first table); a 401/403 from the API rejects the settings. */
  override async check (context: RequestContext): Promise<boolean> {
    if (this.settings.length === 0) return true
    const table = this.#tables.get(this.#options.checkTable ?? '') ?? this.#options.tables[0]!
    try {
      await this.#fetchPage(table, this.#firstUrl(table, context.connection, {}), context, AbortSignal.timeout(this.#options.timeoutMs))
      return true
    } catch (error) {
      if (isB24biError(error) && error.code === ERR_AUTH_REJECTED.code) return false
      throw error
    }
  }

  async listTables (): Promise<TableInfo[]> {
    return this.#options.tables.map((table) => ({ code: table.code, title: table.title ?? table.code }))
  }

  async describeTable (code: string, context: RequestContext): Promise<FieldInfo[] | undefined> {
    const table = this.#tables.get(code)
    if (table === undefined) return undefined
    const fields = await this.#fields(table, context)
    return fields.map(({ path: _path, ...field }) => ({ ...field, name: field.name ?? field.code }))
  }

  /**
   * Declared fields, or fields inferred from the first page and reused for `catalogSeconds` (single flight,
   * retried after a failure).
   */
  async #fields (table: HttpTable, context: RequestContext): Promise<readonly HttpField[]> {
    if (table.fields !== undefined) return table.fields
    const cached = this.#inferred.get(table.code)
    if (cached !== undefined && cached.until > Date.now()) return await cached.fields
    const entry = {
      until: Date.now() + this.#options.catalogSeconds * 1000,
      fields: this.#fetchPage(table, this.#firstUrl(table, context.connection, {}), context, AbortSignal.timeout(this.#options.timeoutMs))
        .then((page) => inferFields(page.rows, table.types))
    }
    entry.fields.catch(() => { if (this.#inferred.get(table.code) === entry) this.#inferred.delete(table.code) })
    this.#inferred.set(table.code, entry)
    return await entry.fields
  }

  /** Pushes the (field, operator) pairs some table's API filters by; the limit is honoured by stopping the pages. */
  override capabilities (): Capabilities {
    return { limit: true, filter: (field, op) => this.#pushable.has(`${field.source ?? field.code}\u0000${op}`) }
  }

  async * readRows (plan: ReadPlan, context: RequestContext): AsyncGenerator<Row[]> {
    const table = this.#tables.get(plan.table)!
    const byCode = new Map((await this.#fields(table, context)).map((field) => [field.code, field]))
    const read = plan.fields.map((field) => byCode.get(field.source ?? field.code)!)
    const keep = plan.filter === undefined ? undefined : this.#localFilter(plan.filter, plan, byCode)
    const first = this.#firstUrl(table, context.connection, apiParams(table, plan.filter, plan))
    const limit = plan.limit ?? Infinity
    let sent = 0
    const pages = readPages(table.pagination ?? { style: 'none' }, first,
      async (url) => await this.#fetchPage(table, url, context, plan.signal), keep === undefined ? limit : Infinity)
    for await (const rows of pages) {
      const batch: unknown[][] = []
      for (const row of rows) {
        if (keep !== undefined && !keep(row)) continue
        batch.push(read.map((field) => runtimeValue(valueAt(row, field.path ?? field.code), field)))
        if (++sent >= limit) break
      }
      if (batch.length > 0) yield batch
      if (sent >= limit) return
    }
  }

  #localFilter (filter: FilterNode, plan: ReadPlan, byCode: ReadonlyMap<string, HttpField>): (row: unknown) => boolean {
    const fields = plan.tableFields.map((field) => byCode.get(field.source ?? field.code)!)
    const predicate = compilePredicate(filter, (code) => plan.tableFields.findIndex((field) => field.code === code))
    return (row) => predicate(fields.map((field) => runtimeValue(valueAt(row, field.path ?? field.code), field)))
  }

  #firstUrl (table: HttpTable, connection: Connection, params: Record<string, string>): URL {
    const url = new URL(interpolate(table.url, connection, true), this.#options.baseUrl)
    for (const [key, value] of Object.entries(table.query ?? {})) url.searchParams.set(key, interpolate(value, connection))
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
    return url
  }

  async #fetchPage (table: HttpTable, url: URL, context: RequestContext, signal: AbortSignal): Promise<Page> {
    const headers: Record<string, string> = { accept: 'application/json' }
    for (const [key, value] of Object.entries({ ...this.#options.headers, ...table.headers })) headers[key.toLowerCase()] = interpolate(value, context.connection)
    const post = table.method === 'POST'
    if (post) headers['content-type'] = 'application/json'
    const response = await this.#client!.send({
      url,
      method: post ? 'POST' : 'GET',
      headers,
      body: post && table.body !== undefined ? JSON.stringify(interpolateDeep(table.body, context.connection)) : undefined,
      signal,
      log: context.log
    })
    const json = parseApiJson(response.text)
    const rows = valueAt(json, table.rows)
    if (!Array.isArray(rows)) throw new ERR_SOURCE_FAILED({ cause: new Error(`no array at '${table.rows ?? ''}' in the answer for '${table.code}'`) })
    context.log.debug({ table: table.code, rows: rows.length }, 'API page read')
    return { rows, json, headers: response.headers }
  }

  override async close (): Promise<void> {
    await this.#client?.close()
    this.#client = undefined
  }
}

/** The query parameters for the top-level AND conditions the table's API filters by (one value each). */
function apiParams (table: HttpTable, filter: FilterNode | undefined, plan: ReadPlan): Record<string, string> {
  const params: Record<string, string> = {}
  if (filter === undefined || table.filters === undefined) return params
  const conditions = filter.kind === 'condition' ? [filter] : filter.logic === 'AND' ? filter.items : []
  for (const condition of conditions) {
    if (condition.kind !== 'condition' || condition.values.length !== 1) continue
    const field = plan.tableFields.find((item) => item.code === condition.field)
    const param = table.filters.find((item) => item.field === (field?.source ?? condition.field) && item.op === condition.op)?.param
    if (param === undefined || param in params) continue
    const value = condition.values[0]!
    params[param] = typeof value === 'string' ? value : field?.zoned === true ? (value as DateTimeValue).instant.toISOString() : value.wall.replace(' ', 'T')
  }
  return params
}
