import { Type } from 'typebox'
import type { Setting } from '../../src/core/adapter.js'
import { ERR_CONFIG_INVALID } from '../../src/core/errors.js'
import { FIELD_TYPES, type FieldType } from '../../src/core/field-types.js'
import type { FilterOp } from '../../src/core/filter-ast.js'
import { checkKnownOptions } from '../../src/adapter-kit/index.js'

/** How a table's endpoint pages through its rows. */
export type Pagination =
  | { style: 'none' }
  /** `?page=1&per_page=100`, stops at a short or empty page. */
  | { style: 'page', param?: string, sizeParam?: string, size?: number, first?: number }
  /** `?offset=0&limit=100`, stops at a short or empty page. */
  | { style: 'offset', offsetParam?: string, limitParam?: string, size?: number }
  /** `?cursor=<token>`, the next token read from the JSON at `next`; stops when it is missing or empty. */
  | { style: 'cursor', param?: string, next: string }
  /** Follows the `Link: <url>; rel="next"` header (GitHub style); stops when there is none. */
  | { style: 'link' }

/** One field of an API table. */
export interface HttpField {
  /** The code the portal sees. */
  code: string
  type: FieldType
  /** Where the value is in a row object, as a dotted path. Default: `code`. */
  path?: string
  name?: string
  /** For datetimes with an offset in the data (`...Z`, `+02:00`): shown in the configured zone. */
  zoned?: boolean
}

/**
 * A query parameter the API filters by: `{ field: 'DATE_CREATE', op: 'gte', param: 'created_from' }`.
 * Conditions the API cannot take are applied by the runtime.
 */
export interface HttpFilterParam {
  field: string
  op: Extract<FilterOp, 'eq' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'contains'>
  param: string
}

/** One table served from an HTTP endpoint. Strings may hold `{{setting}}`, replaced by the connection's value. */
export interface HttpTable {
  code: string
  title?: string
  /** Absolute, or relative to the adapter's `baseUrl`. */
  url: string
  method?: 'GET' | 'POST' // default 'GET'
  headers?: Readonly<Record<string, string>>
  query?: Readonly<Record<string, string>>
  /** A JSON body for POST. */
  body?: unknown
  /** Where the rows are in the JSON answer, as a dotted path (`data.items`). Default: the answer itself. */
  rows?: string
  /** The fields. Default: inferred from the first page (object keys, types from the values). */
  fields?: readonly HttpField[]
  /** With inferred fields: a key's portal type forced over the inferred one: `{ zip: 'string' }`. */
  types?: Readonly<Record<string, FieldType>>
  pagination?: Pagination // default { style: 'none' }
  filters?: readonly HttpFilterParam[]
}

/** Options of the HTTP adapter. */
export interface HttpAdapterOptions {
  tables: readonly HttpTable[]
  baseUrl?: string
  /** The settings the portal asks for; values are interpolated into `{{code}}` placeholders. Default: none. */
  settings?: readonly Setting[]
  /** Headers sent with every request (e.g. `{ authorization: 'Bearer {{apiKey}}' }`). */
  headers?: Readonly<Record<string, string>>
  concurrency?: number // default 4 requests in flight per adapter
  retries?: number // default 5 retries after a 429, a 5xx or a network error
  retryBaseMs?: number // default 250 ms, doubled per attempt, with jitter
  retryMaxMs?: number // default 30_000 ms, also the longest Retry-After honoured
  timeoutMs?: number // default 60_000 ms for headers and between body chunks
  /**
   * Seconds fields inferred from a first page are reused, on each replica; then the next description or read infers
   * them again, so a key the API added shows within this time everywhere. Declared fields are never fetched.
   * Default 15; 0 infers on every call.
   */
  catalogSeconds?: number
  /** Which table's first page `check` fetches to validate the settings. Default: the first table. */
  checkTable?: string
}

/** The defaults, with units. */
export const HTTP_DEFAULTS = Object.freeze({
  concurrency: 4, // requests in flight
  retries: 5,
  retryBaseMs: 250, // ms
  retryMaxMs: 30_000, // ms
  timeoutMs: 60_000, // ms
  catalogSeconds: 15, // seconds inferred fields are reused
  pageSize: 100 // rows
})

const Text = Type.String()
const FieldTypeSchema = Type.Union(FIELD_TYPES.map((type) => Type.Literal(type)))
const Size = Type.Optional(Type.Integer({ minimum: 1 }))
const closed = { additionalProperties: false } as const

/** `HttpAdapterOptions` as a schema: every key the HTTP adapter knows (unknown keys are refused, at any depth). */
export const HttpOptionsSchema = Type.Object({
  tables: Type.Array(Type.Object({
    code: Type.String({ minLength: 1, description: 'the table code the portal sees' }),
    title: Type.Optional(Type.String({ description: "the title in the portal's table list" })),
    url: Type.String({ minLength: 1, description: 'absolute, or relative to `baseUrl`; may hold `{{setting}}`' }),
    method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST')], { default: 'GET' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "this table's headers" })),
    query: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'query parameters' })),
    body: Type.Optional(Type.Unknown({ description: 'a JSON body for POST' })),
    rows: Type.Optional(Type.String({ description: 'where the rows are in the JSON answer, as a dotted path (`data.items`); default the answer itself' })),
    fields: Type.Optional(Type.Array(Type.Object({
      code: Type.String({ minLength: 1, description: 'the field code the portal sees' }),
      type: FieldTypeSchema,
      path: Type.Optional(Type.String({ description: 'where the value is in a row, as a dotted path; default `code`' })),
      name: Type.Optional(Type.String()),
      zoned: Type.Optional(Type.Boolean({ description: 'a datetime with an offset in the data: shown in the configured zone' }))
    }, closed), { description: 'the fields; default inferred from the first page' })),
    types: Type.Optional(Type.Record(Type.String(), FieldTypeSchema, { description: "with inferred fields: a key's portal type forced over the inferred one" })),
    pagination: Type.Optional(Type.Union([
      Type.Object({ style: Type.Literal('none') }, closed),
      Type.Object({ style: Type.Literal('page'), param: Type.Optional(Text), sizeParam: Type.Optional(Text), size: Size, first: Type.Optional(Type.Integer()) }, closed),
      Type.Object({ style: Type.Literal('offset'), offsetParam: Type.Optional(Text), limitParam: Type.Optional(Text), size: Size }, closed),
      Type.Object({ style: Type.Literal('cursor'), param: Type.Optional(Text), next: Type.String({ minLength: 1 }) }, closed),
      Type.Object({ style: Type.Literal('link') }, closed)
    ], { description: 'page (`?page=1&per_page=100`), offset, cursor (the next token at the JSON path `next`) or link (`Link: rel="next"`); default none' })),
    filters: Type.Optional(Type.Array(Type.Object({
      field: Type.String({ minLength: 1 }),
      op: Type.Union(['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'contains'].map((op) => Type.Literal(op))),
      param: Type.String({ minLength: 1 })
    }, closed), { description: 'query parameters the API filters by; conditions it cannot take are applied by the runtime' }))
  }, closed), { minItems: 1, description: 'the tables, each served from an endpoint' }),
  baseUrl: Type.Optional(Type.String({ minLength: 1, description: 'the base relative table URLs are resolved against' })),
  settings: Type.Optional(Type.Array(Type.Object({
    code: Type.String({ minLength: 1 }),
    name: Type.String(),
    type: Type.Union([Type.Literal('STRING'), Type.Literal('INT')]),
    required: Type.Optional(Type.Boolean()),
    secret: Type.Optional(Type.Boolean())
  }, closed), { description: 'the settings the portal asks for; their values fill `{{code}}` placeholders' })),
  headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'headers sent with every request: `{ authorization: \'Bearer {{apiKey}}\' }`' })),
  concurrency: Type.Optional(Type.Integer({ minimum: 1, description: 'requests in flight per adapter' })),
  retries: Type.Optional(Type.Integer({ minimum: 0, description: 'retries after a 429, a 5xx or a network error' })),
  retryBaseMs: Type.Optional(Type.Number({ minimum: 0, description: 'milliseconds before the first retry, doubled per attempt, with jitter' })),
  retryMaxMs: Type.Optional(Type.Number({ minimum: 0, description: 'the longest wait between retries, and the longest Retry-After honoured, in milliseconds' })),
  timeoutMs: Type.Optional(Type.Number({ minimum: 0, description: 'milliseconds for the headers, and between body chunks' })),
  catalogSeconds: Type.Optional(Type.Number({ minimum: 0, description: 'seconds fields inferred from a first page are reused on each replica; 0 infers on every call' })),
  checkTable: Type.Optional(Type.String({ minLength: 1, description: 'the table whose first page `check` fetches; default the first' }))
}, closed)

/** Options with defaults applied. */
export type ResolvedHttpOptions = Readonly<Required<Omit<HttpAdapterOptions, 'baseUrl' | 'checkTable'>>> & Pick<HttpAdapterOptions, 'baseUrl' | 'checkTable'>

const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g

function placeholders (value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') for (const match of value.matchAll(PLACEHOLDER)) into.add(match[1]!)
  else if (Array.isArray(value)) for (const item of value) placeholders(item, into)
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) placeholders(item, into)
  return into
}

function checkTable (table: HttpTable, options: HttpAdapterOptions, settings: ReadonlySet<string>): void {
  const where = `tables.${table.code}`
  if (typeof table.code !== 'string' || table.code === '') throw new ERR_CONFIG_INVALID('tables', 'every table needs a code')
  try {
    // eslint-disable-next-line no-new -- built only to reject a URL template that does not parse
    new URL(table.url.replace(PLACEHOLDER, 'x'), options.baseUrl)
  } catch (error) {
    throw new ERR_CONFIG_INVALID(`${where}.url`, 'is not a URL (absolute, or relative to baseUrl)', { cause: error })
  }
  for (const name of placeholders([table.url, table.headers, table.query, table.body], new Set())) {
    if (!settings.has(name)) throw new ERR_CONFIG_INVALID(where, `{{${name}}} names no declared setting`)
  }
  const codes = new Set(table.fields?.map((field) => field.code))
  for (const filter of table.filters ?? []) {
    if (table.fields !== undefined && !codes.has(filter.field)) throw new ERR_CONFIG_INVALID(`${where}.filters`, `'${filter.field}' is not a field`)
  }
  if (table.pagination?.style === 'cursor' && !table.pagination.next) throw new ERR_CONFIG_INVALID(`${where}.pagination`, 'cursor pagination needs `next`')
}

/** Validates the options once, at construction, and applies the defaults. */
export function resolveHttpOptions (options: HttpAdapterOptions): ResolvedHttpOptions {
  checkKnownOptions(HttpOptionsSchema, options)
  const settings = options.settings ?? []
  const codes = new Set(settings.map((setting) => setting.code))
  if (!Array.isArray(options.tables) || options.tables.length === 0) throw new ERR_CONFIG_INVALID('tables', 'declare at least one table')
  const seen = new Set<string>()
  for (const table of options.tables) {
    checkTable(table, options, codes)
    if (seen.has(table.code)) throw new ERR_CONFIG_INVALID('tables', `'${table.code}' is declared twice`)
    seen.add(table.code)
  }
  for (const name of placeholders(options.headers, new Set())) {
    if (!codes.has(name)) throw new ERR_CONFIG_INVALID('headers', `{{${name}}} names no declared setting`)
  }
  for (const key of ['concurrency', 'retries', 'retryBaseMs', 'retryMaxMs', 'timeoutMs', 'catalogSeconds'] as const) {
    const value = options[key]
    if (value !== undefined && (!Number.isFinite(value) || value < (key === 'concurrency' ? 1 : 0))) throw new ERR_CONFIG_INVALID(key, 'must be a non-negative number')
  }
  return Object.freeze({
    ...options,
    tables: structuredClone(options.tables),
    settings: [...settings],
    headers: { ...options.headers },
    concurrency: options.concurrency ?? HTTP_DEFAULTS.concurrency,
    retries: options.retries ?? HTTP_DEFAULTS.retries,
    retryBaseMs: options.retryBaseMs ?? HTTP_DEFAULTS.retryBaseMs,
    retryMaxMs: options.retryMaxMs ?? HTTP_DEFAULTS.retryMaxMs,
    timeoutMs: options.timeoutMs ?? HTTP_DEFAULTS.timeoutMs,
    catalogSeconds: options.catalogSeconds ?? HTTP_DEFAULTS.catalogSeconds
  })
}

/** Replaces every `{{setting}}` in `text` with the connection's value; `encode` for URL parts. */
export function interpolate (text: string, connection: Readonly<Record<string, string>>, encode = false): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = connection[name] ?? ''
    return encode ? encodeURIComponent(value) : value
  })
}

/** Interpolates every string inside a JSON value. */
export function interpolateDeep (value: unknown, connection: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return interpolate(value, connection)
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, connection))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, connection)]))
  }
  return value
}
