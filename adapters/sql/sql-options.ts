import { Type } from 'typebox'
import { ERR_CONFIG_INVALID } from '../../src/core/errors.js'
import { FIELD_TYPES, type FieldType } from '../../src/core/field-types.js'
import { checkKnownOptions, globToRegExp, positiveOption } from '../../src/adapter-kit/index.js'

/**
 * Names or globs (`*` any run of characters, `?` one, `{a,b}` alternatives; letters in either case). A table pattern
 * with a dot matches `schema.table`, else the table name.
 */
export interface NameFilter {
  allow?: readonly string[]
  deny?: readonly string[]
}

/** Which schemas and tables (or views) the portal sees. Deny wins over allow; no allow list means all. */
export interface Exposure {
  schemas?: NameFilter
  tables?: NameFilter
}

/** A curated table defined by a query: listed as `name`, read as `(<sql>) AS source`. */
export interface SqlDataset {
  /** The table code the portal sees. */
  name: string
  /** One SELECT statement (no trailing semicolon). */
  sql: string
  /** A title for the table list. Default: the name. */
  title?: string
}

/** Portal mode: the portal's settings carry host, port, database, user and password. */
export interface PortalConnectionOptions {
  /**
   * Addresses (`127.0.0.1`), networks (`10.0.0.0/8`) or host names that may be used although they are
   * loopback, private or link-local. Default: none (public addresses only).
   */
  allowHosts?: readonly string[]
  /** Most pools open at once (one per distinct credential set); the least recently used is closed. Default 20. */
  maxPools?: number
  /** A pool unused for this long is closed. Default 300 (seconds). */
  idleSeconds?: number
}

/** Options shared by the SQL adapters. Give `url` + `token` (server mode) or `portal` (portal mode). */
export interface SqlAdapterOptions {
  /** Server mode: the database URL from the server's configuration. */
  url?: string
  /** Server mode: the value the portal must send as the `token` setting (compared in constant time). */
  token?: string
  /** Server mode: more values accepted as `token` (a rotation: `[current, next]`; env `CONNECTOR_TOKENS`). Default none. */
  tokens?: readonly string[]
  /**
   * Server mode without a token: the adapter declares no settings and accepts every caller. Only for public data;
   * not with `token`. Default false.
   */
  public?: boolean
  /** Portal mode, see `PortalConnectionOptions`. */
  portal?: PortalConnectionOptions
  /** Which schemas and tables are listed. Default: every table and view outside the system schemas. */
  exposure?: Exposure
  /** The schema whose tables are listed by bare name (others as `schema.table`). Default: the engine's (e.g. `public`). */
  defaultSchema?: string
  /** Curated tables defined by a query. */
  datasets?: readonly SqlDataset[]
  /** Per table code, a column's portal type forced over the mapped one: `{ orders: { ZIP: 'string' } }`. */
  types?: Readonly<Record<string, Readonly<Record<string, FieldType>>>>
  /** `upper` (default): field codes are column names upper-cased (`created_at` -> `CREATED_AT`); `as-is`: unchanged. */
  fieldCodes?: 'upper' | 'as-is'
  /** The statement timeout of every read, in seconds. Default 60: the portal stops a transfer at 60 s (the runtime's deadline, 55 s, comes first). */
  statementTimeoutSeconds?: number
  /** Rows per batch read from the database. Default 1000. */
  batchSize?: number
  /** Connections per pool. Default 4 (with `maxConnections` in server mode: all the budget leaves). */
  poolSize?: number
  /**
   * This replica's budget of database connections, all pools together (N replicas open N times this): server mode
   * keeps one for `/ready`'s probe and one for cancelling a read, and gives the pool the rest; portal mode keeps one
   * for cancelling and opens at most `floor((maxConnections - 1) / poolSize)` pools. Default: no budget
   * (`maxPools × poolSize`, plus the probe and a cancel).
   */
  maxConnections?: number
  /**
   * Seconds a call waits for a free connection of its pool; then 503 `B24BI_ERR_SOURCE_BUSY` with `Retry-After`.
   * Default 30.
   */
  poolWaitSeconds?: number
  /**
   * How long a catalog read (table list and columns) is reused: after an `ALTER TABLE` every replica describes the
   * new columns within this time. Default 15 (seconds).
   */
  catalogSeconds?: number
}

/** Defaults of `SqlAdapterOptions`. */
export const SQL_DEFAULTS = Object.freeze({
  maxPools: 20,
  idleSeconds: 300, // seconds
  statementTimeoutSeconds: 60, // seconds
  batchSize: 1000, // rows
  poolSize: 4, // connections
  poolWaitSeconds: 30, // seconds
  catalogSeconds: 15 // seconds
})

const Names = Type.Optional(Type.Array(Type.String({ minLength: 1 })))
const NameFilterSchema = Type.Optional(Type.Object({ allow: Names, deny: Names }, { additionalProperties: false }))
const Positive = Type.Optional(Type.Number({ exclusiveMinimum: 0 }))

/** A portal field type, as a schema. */
export const FieldTypeSchema = Type.Union(FIELD_TYPES.map((type) => Type.Literal(type)))

/** `SqlAdapterOptions` as a schema: every key the SQL adapters know (unknown keys are refused, at any depth). */
export const SqlOptionsSchema = Type.Object({
  url: Type.Optional(Type.String({ minLength: 1, description: 'server mode: the database URL' })),
  token: Type.Optional(Type.String({ minLength: 8, description: 'server mode: the token the portal must send' })),
  tokens: Type.Optional(Type.Array(Type.String({ minLength: 8 }), { description: 'server mode: more tokens accepted (a rotation)' })),
  public: Type.Optional(Type.Boolean({ description: 'server mode without a token: only for public data' })),
  portal: Type.Optional(Type.Object({
    allowHosts: Names,
    maxPools: Type.Optional(Type.Integer({ minimum: 1 })),
    idleSeconds: Positive
  }, { additionalProperties: false, description: 'portal mode: the portal sends host, port, database, user, password' })),
  exposure: Type.Optional(Type.Object({ schemas: NameFilterSchema, tables: NameFilterSchema }, { additionalProperties: false })),
  defaultSchema: Type.Optional(Type.String({ minLength: 1 })),
  datasets: Type.Optional(Type.Array(Type.Object({
    name: Type.String({ minLength: 1 }),
    sql: Type.String({ minLength: 1 }),
    title: Type.Optional(Type.String())
  }, { additionalProperties: false }))),
  types: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), FieldTypeSchema))),
  fieldCodes: Type.Optional(Type.Union([Type.Literal('upper'), Type.Literal('as-is')])),
  statementTimeoutSeconds: Positive,
  batchSize: Type.Optional(Type.Integer({ minimum: 1 })),
  poolSize: Type.Optional(Type.Integer({ minimum: 1 })),
  maxConnections: Type.Optional(Type.Integer({ minimum: 2, description: "this replica's database connections, all pools together" })),
  poolWaitSeconds: Positive,
  catalogSeconds: Type.Optional(Type.Number({ minimum: 0 }))
}, { additionalProperties: false })

/** The options after validation, defaults applied, frozen. */
export interface ResolvedSqlOptions {
  readonly mode: 'server' | 'portal'
  readonly url: string | undefined
  readonly token: string | undefined
  /** Server mode: every token accepted (`token` and `tokens`); none with `public`. */
  readonly tokens: readonly string[]
  /** Server mode without a token: every caller accepted. */
  readonly public: boolean
  readonly allowHosts: readonly string[]
  readonly maxPools: number
  readonly idleMs: number
  readonly exposure: Exposure
  readonly defaultSchema: string | undefined
  readonly datasets: readonly SqlDataset[]
  readonly types: Readonly<Record<string, Readonly<Record<string, FieldType>>>>
  readonly fieldCodes: 'upper' | 'as-is'
  readonly timeoutMs: number
  readonly batchSize: number
  readonly poolSize: number
  /** The budget of this replica's connections (Infinity without one). */
  readonly maxConnections: number
  readonly poolWaitMs: number
  readonly catalogMs: number
}

function checkDatasets (datasets: readonly SqlDataset[]): void {
  const names = new Set<string>()
  for (const dataset of datasets) {
    if (typeof dataset.name !== 'string' || dataset.name === '') throw new ERR_CONFIG_INVALID('datasets', 'every dataset needs a name')
    if (names.has(dataset.name)) throw new ERR_CONFIG_INVALID('datasets', `'${dataset.name}' is defined twice`)
    names.add(dataset.name)
    if (!/^\s*(select|with)\b/i.test(dataset.sql ?? '') || /;\s*\S/.test(dataset.sql)) {
      throw new ERR_CONFIG_INVALID('datasets', `'${dataset.name}' must be one SELECT statement`)
    }
  }
}

function checkTypes (types: SqlAdapterOptions['types']): void {
  for (const [table, columns] of Object.entries(types ?? {})) {
    for (const [column, type] of Object.entries(columns)) {
      if (!(FIELD_TYPES as readonly string[]).includes(type)) throw new ERR_CONFIG_INVALID('types', `${table}.${column}: '${type}' is not a portal type`)
    }
  }
}

/** Connections kept apart from the pools: server mode the `/ready` probe and one cancel, portal mode one cancel. */
function reserved (server: boolean): number {
  return server ? 2 : 1
}

/** Pools and their size within `maxConnections` (without it, as given). */
function budget (options: SqlAdapterOptions, server: boolean): { maxPools: number, poolSize: number, maxConnections: number } {
  const poolSize = options.poolSize === undefined ? undefined : Math.floor(positiveOption('poolSize', options.poolSize))
  const maxPools = server ? 1 : Math.floor(positiveOption('portal.maxPools', options.portal?.maxPools ?? SQL_DEFAULTS.maxPools))
  if (options.maxConnections === undefined) return { maxPools, poolSize: poolSize ?? SQL_DEFAULTS.poolSize, maxConnections: Infinity }
  const total = Math.floor(options.maxConnections)
  const usable = total - reserved(server)
  if (usable < 1) throw new ERR_CONFIG_INVALID('maxConnections', `must be at least ${reserved(server) + 1} (${reserved(server)} kept for the readiness probe and cancelling)`)
  if (server) return { maxPools: 1, poolSize: Math.min(poolSize ?? usable, usable), maxConnections: total }
  const size = Math.min(poolSize ?? SQL_DEFAULTS.poolSize, usable)
  return { maxPools: Math.max(1, Math.min(maxPools, Math.floor(usable / size))), poolSize: size, maxConnections: total }
}

/** The shortest server-mode token the SQL adapters accept. */
export const MIN_TOKEN_LENGTH = 8

/**
 * Validates the options once, at construction, and applies the defaults. `minTokenLength` is the engine's
 * (`SqlEngineDefinition.minTokenLength`: the files engine takes any non-empty token).
 */
export function resolveSqlOptions (options: SqlAdapterOptions, engine: string, minTokenLength = MIN_TOKEN_LENGTH): ResolvedSqlOptions {
  checkKnownOptions(SqlOptionsSchema, options)
  const server = options.url !== undefined
  if (server === (options.portal !== undefined)) throw new ERR_CONFIG_INVALID(engine, 'give either url (server mode) or portal (portal mode)')
  const tokens = [...(options.token === undefined ? [] : [options.token]), ...(options.tokens ?? [])]
  const open = options.public === true
  if (open && (!server || tokens.length > 0)) throw new ERR_CONFIG_INVALID('public', 'is server mode without a token: give neither token nor portal with it')
  if (server && !open && (tokens.length === 0 || tokens.some((token) => token.length < minTokenLength))) {
    throw new ERR_CONFIG_INVALID('token', `server mode needs a token (or tokens) of at least ${minTokenLength} characters, or public: true for public data`)
  }
  const datasets = [...(options.datasets ?? [])].map((dataset) => ({ ...dataset, sql: dataset.sql.trim().replace(/;\s*$/, '') }))
  checkDatasets(datasets)
  checkTypes(options.types)
  checkExposure(options.exposure)
  return Object.freeze({
    mode: server ? 'server' : 'portal',
    url: options.url,
    token: options.token,
    tokens,
    public: open,
    allowHosts: [...(options.portal?.allowHosts ?? [])],
    ...budget(options, server),
    idleMs: server ? Infinity : positiveOption('portal.idleSeconds', options.portal?.idleSeconds ?? SQL_DEFAULTS.idleSeconds) * 1000,
    exposure: structuredClone(options.exposure ?? {}),
    defaultSchema: options.defaultSchema,
    datasets,
    types: structuredClone(options.types ?? {}),
    fieldCodes: options.fieldCodes ?? 'upper',
    timeoutMs: positiveOption('statementTimeoutSeconds', options.statementTimeoutSeconds ?? SQL_DEFAULTS.statementTimeoutSeconds) * 1000,
    batchSize: Math.floor(positiveOption('batchSize', options.batchSize ?? SQL_DEFAULTS.batchSize)),
    poolWaitMs: positiveOption('poolWaitSeconds', options.poolWaitSeconds ?? SQL_DEFAULTS.poolWaitSeconds) * 1000,
    catalogMs: (options.catalogSeconds ?? SQL_DEFAULTS.catalogSeconds) * 1000
  })
}

const compiled = new Map<string, RegExp>()

/** An exposure pattern as a RegExp: the one glob dialect, case-insensitive (compiled once per pattern). */
function namePattern (pattern: string, option = 'exposure'): RegExp {
  let regExp = compiled.get(pattern)
  if (regExp === undefined) {
    regExp = globToRegExp(pattern, { ignoreCase: true, option })
    compiled.set(pattern, regExp)
  }
  return regExp
}

/** Refuses a malformed exposure pattern at construction, naming it. */
function checkExposure (exposure: Exposure | undefined): void {
  for (const kind of ['schemas', 'tables'] as const) {
    for (const list of ['allow', 'deny'] as const) {
      for (const pattern of exposure?.[kind]?.[list] ?? []) namePattern(pattern, `exposure.${kind}.${list}`)
    }
  }
}

function matches (patterns: readonly string[], schema: string, name: string, qualified: boolean): boolean {
  return patterns.some((pattern) => {
    const target = qualified && pattern.includes('.') ? `${schema}.${name}` : name
    return namePattern(pattern).test(target)
  })
}

function passes (filter: NameFilter | undefined, schema: string, name: string, qualified: boolean): boolean {
  if (filter?.deny !== undefined && matches(filter.deny, schema, name, qualified)) return false
  return filter?.allow === undefined || matches(filter.allow, schema, name, qualified)
}

/** True when the exposure lets the portal see `schema.table`. */
export function isExposed (exposure: Exposure, schema: string, table: string): boolean {
  return passes(exposure.schemas, schema, schema, false) && passes(exposure.tables, schema, table, true)
}
