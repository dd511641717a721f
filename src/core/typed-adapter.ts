import { Type, type Static, type TObject, type TSchema, type TUnion, type TInteger, type TBigInt, type TString, type TNumber, type TUnsafe } from 'typebox'
import { Adapter, type ReadPlan, type RequestContext, type Row } from './adapter.js'
import type { FieldInfo, FieldType, TableInfo } from './field-types.js'

/** The schema keyword that forces a portal type (`money`, `timezone`, or `int` for exact 64-bit integers). */
export const PORTAL_TYPE = 'x-b24bi-type'
/** The schema keyword that marks a datetime as an instant, shown in the configured zone. */
export const ZONED = 'x-b24bi-zoned'

const DECIMAL = '^-?\\d+(\\.\\d+)?$'
const INTEGER = '^-?\\d+$'

/** A money amount: a number, or a decimal string when every digit counts (`'12345678901234567.89'`). */
export function Money (options: { title?: string } = {}): TUnion<[TNumber, TString]> {
  return Type.Union([Type.Number(), Type.String({ pattern: DECIMAL })], { ...options, [PORTAL_TYPE]: 'money' })
}

/** A 64-bit integer handed over exactly: a safe number, a bigint, or an integer string. */
export function Int64 (options: { title?: string } = {}): TUnion<[TInteger, TBigInt, TString]> {
  return Type.Union([Type.Integer(), Type.BigInt(), Type.String({ pattern: INTEGER })], { ...options, [PORTAL_TYPE]: 'int' })
}

/** A time zone identifier (`Europe/Berlin`, `+03:00`), declared to the portal as type `timezone`. */
export function TimeZoneId (options: { title?: string } = {}): TString {
  return Type.String({ ...options, [PORTAL_TYPE]: 'timezone' })
}

/** An instant (`timestamptz`): a `Date`, shown in the configured zone. */
export function Zoned (options: { title?: string } = {}): TUnsafe<Date> {
  return Type.Unsafe<Date>({ type: 'string', format: 'date-time', ...options, [ZONED]: true })
}

type Schema = Record<string, unknown>

function withoutNull (schema: Schema): Schema {
  const members = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (members === undefined || schema[PORTAL_TYPE] !== undefined) return schema
  const rest = members.filter((member) => member.type !== 'null')
  return rest.length === 1 ? { ...rest[0], title: schema.title ?? rest[0]!.title } : schema
}

/**
 * The portal type of one property schema: Integer, BigInt, Boolean → int; Number → double;
 * String with format `date` → date, `date-time` → datetime; other strings and anything else → string.
 * `Money()`, `Int64()`, `TimeZoneId()` and `Zoned()` say more; `T | null` and optional properties map like `T`.
 */
export function portalType (property: TSchema): { type: FieldType, zoned: boolean } {
  const schema = withoutNull(property as Schema)
  const forced = schema[PORTAL_TYPE] as FieldType | undefined
  if (forced !== undefined) return { type: forced, zoned: false }
  if (schema[ZONED] === true) return { type: 'datetime', zoned: true }
  switch (schema.type) {
    case 'integer': case 'bigint': case 'boolean': return { type: 'int', zoned: false }
    case 'number': return { type: 'double', zoned: false }
    case 'string':
      if (schema.format === 'date') return { type: 'date', zoned: false }
      if (schema.format === 'date-time') return { type: 'datetime', zoned: false }
      return { type: 'string', zoned: false }
    default: return { type: 'string', zoned: false }
  }
}

/** The table description of an object schema: one field per property, in declaration order, `title` as name. */
export function describeSchema (schema: TObject): FieldInfo[] {
  return Object.entries(schema.properties).map(([code, property]) => {
    const { type, zoned } = portalType(property)
    const title = withoutNull(property as Schema).title
    return { code, type, ...(typeof title === 'string' ? { name: title } : {}), ...(zoned ? { zoned } : {}) }
  })
}

/** The row type of a table schema (what its reader yields). */
export type TableRow<S extends TObject> = Static<S>

/** Per table, the reader: yields batches of rows of exactly that table's row type. */
export type TypedReaders<T extends Record<string, TObject>> = {
  readonly [K in keyof T]: (plan: ReadPlan, context: RequestContext) => AsyncIterable<ReadonlyArray<Static<T[K]>>>
}

/**
 * An adapter whose tables are TypeBox object schemas: the table list (schema `title`), the descriptions and
 * the row type of each reader come from them, so a reader yielding the wrong shape does not compile.
 *
 * @example
 * const tables = { holidays: Type.Object({ DATE: Type.String({ format: 'date' }), NAME: Type.String() }, { title: 'Holidays' }) }
 * class Holidays extends TypedAdapter<typeof tables> {
 *   readonly readers: TypedReaders<typeof tables> = {
 *     holidays: async function * () { yield [{ DATE: '2026-01-01', NAME: "New Year's Day" }] }
 *   }
 *   constructor () { super(tables) }
 * }
 */
export abstract class TypedAdapter<T extends Record<string, TObject>> extends Adapter {
  readonly tables: Readonly<T>
  readonly #fields: ReadonlyMap<string, FieldInfo[]>
  /** The readers, one per table. */
  abstract readonly readers: TypedReaders<T>

  constructor (tables: T) {
    super()
    this.tables = tables
    this.#fields = new Map(Object.entries(tables).map(([code, schema]) => [code, describeSchema(schema)]))
  }

  async listTables (): Promise<TableInfo[]> {
    return Object.entries(this.tables).map(([code, schema]) => ({ code, title: typeof schema.title === 'string' ? schema.title : code }))
  }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    return this.#fields.get(table)
  }

  async * readRows (plan: ReadPlan, context: RequestContext): AsyncGenerator<readonly Row[]> {
    const reader = this.readers[plan.table as keyof T]
    for await (const batch of reader(plan, context)) yield batch as readonly Row[]
  }
}
