import Fastify from 'fastify'
import { expect, test } from 'tstyche'
import { Type } from 'typebox'
import * as root from 'b24bi'
import b24bi, {
  Adapter, B24biError, ERR_AUTH_REJECTED, ERR_CONFIG_INVALID, ERR_NOT_SUPPORTED, ERR_QUERY_TIMEOUT, ERR_SETTING_INVALID,
  ERR_SOURCE_BUSY, ERR_SOURCE_FAILED, ERR_SOURCE_UNAVAILABLE, errorCodes, Int64, isB24biError, Money, TimeZoneId, TypedAdapter,
  Zoned,
  type Capabilities, type Connection, type ConnectorPluginOptions, type EncodedRows, type EncodePlan, type FieldInfo, type FieldType,
  type Logger, type PushdownScope, type ReadPlan, type RequestContext, type Row, type Setting, type TableInfo, type TableRow,
  type TypedReaders
} from 'b24bi'

// The root export of b24bi, frozen: its values by name and kind, its types, the plugin as the default export.

test('the root holds these values and no other', () => {
  expect<keyof typeof root>().type.toBe<
    'default' | 'Adapter' | 'TypedAdapter' | 'Money' | 'Int64' | 'Zoned' | 'TimeZoneId' | 'B24biError' | 'isB24biError' | 'errorCodes' |
    'ERR_AUTH_REJECTED' | 'ERR_CONFIG_INVALID' | 'ERR_NOT_SUPPORTED' | 'ERR_QUERY_TIMEOUT' | 'ERR_SETTING_INVALID' | 'ERR_SOURCE_BUSY' |
    'ERR_SOURCE_FAILED' | 'ERR_SOURCE_UNAVAILABLE'
  >()
})

test('the classes: Adapter and TypedAdapter are abstract, B24biError and the errors construct', () => {
  expect(Adapter).type.not.toBeConstructableWith()
  expect(TypedAdapter).type.not.toBeConstructableWith({})
  expect<typeof TypedAdapter<{ t: ReturnType<typeof Type.Object> }>>().type.toBeAssignableTo<abstract new (tables: { t: ReturnType<typeof Type.Object> }) => Adapter>()
  expect(B24biError).type.toBeConstructableWith('B24BI_ERR_X', 500, 'message', { cause: new Error('x') })
  for (const ErrorClass of [ERR_AUTH_REJECTED, ERR_CONFIG_INVALID, ERR_NOT_SUPPORTED, ERR_QUERY_TIMEOUT, ERR_SETTING_INVALID, ERR_SOURCE_BUSY, ERR_SOURCE_FAILED, ERR_SOURCE_UNAVAILABLE]) {
    expect(new ErrorClass()).type.toBe<B24biError>()
    expect(ErrorClass.code).type.toBe<string>()
  }
  expect(new ERR_CONFIG_INVALID('token', 'use at least 12 characters', { cause: new Error('x') })).type.toBe<B24biError>()
})

test('the functions: isB24biError narrows; the schema helpers are TypeBox schemas', () => {
  const error: unknown = new Error('x')
  if (isB24biError(error)) expect(error.code).type.toBe<string>()
  expect(isB24biError).type.toBe<(error: unknown) => error is B24biError>()
  const schema = Type.Object({ AMOUNT: Money(), ID: Int64(), AT: Zoned(), ZONE: TimeZoneId() })
  expect(schema).type.toBeAssignableTo<ReturnType<typeof Type.Object>>()
  expect<TableRow<typeof schema>>().type.toBe<{ AMOUNT: number | string, ID: number | bigint | string, AT: Date, ZONE: string }>()
})

test('errorCodes: every error by name, each a constructor with its code; read-only', () => {
  expect(errorCodes.ERR_TABLE_NOT_FOUND.code).type.toBe<string>()
  expect(new errorCodes.ERR_TABLE_NOT_FOUND('deals')).type.toBe<B24biError>()
  expect(errorCodes.ERR_AUTH_REJECTED).type.toBe(ERR_AUTH_REJECTED)
  expect(errorCodes).type.toHaveProperty('ERR_DRIVER_MISSING')
  expect(errorCodes).type.not.toHaveProperty('ERR_NO_SUCH_ERROR')
  expect(errorCodes).type.not.toHaveProperty('B24biError')
  // @ts-expect-error Cannot assign to 'ERR_AUTH_REJECTED' because it is a read-only property
  errorCodes.ERR_AUTH_REJECTED = ERR_SOURCE_FAILED
})

test('the contract types', () => {
  expect<Setting>().type.toBeAssignableFrom({ code: 'token', name: 'Token', type: 'STRING' as const })
  expect<Connection>().type.toBe<Readonly<Record<string, string>>>()
  expect<Row>().type.toBe<readonly unknown[] | Readonly<Record<string, unknown>>>()
  expect<ReadPlan['table']>().type.toBe<string>()
  expect<ReadPlan['fields']>().type.toBe<readonly FieldInfo[]>()
  expect<ReadPlan['signal']>().type.toBe<AbortSignal>()
  expect<EncodePlan>().type.toBeAssignableTo<ReadPlan>()
  expect<EncodedRows>().type.toHaveProperty('rows')
  expect<Capabilities>().type.toBeAssignableFrom({ limit: true, filter: true })
  expect<PushdownScope['context']>().type.toBe<RequestContext>()
  expect<RequestContext>().type.toBe<{ connection: Connection, log: Logger }>()
  expect<FieldType>().type.toBe<'int' | 'string' | 'double' | 'date' | 'datetime' | 'money' | 'timezone'>()
  expect<TableInfo>().type.toBeAssignableFrom({ code: 'deals', title: 'Deals' })
  expect<FieldInfo>().type.toBeAssignableFrom({ code: 'ID', type: 'int' as const })
  expect<TypedReaders<{ t: ReturnType<typeof Type.Object> }>>().type.toHaveProperty('t')
})

// A custom adapter in 20 lines, as the README writes one.
class Holidays extends Adapter {
  override readonly settings: readonly Setting[] = [{ code: 'token', name: 'Access token', type: 'STRING', secret: true }]

  constructor (readonly token: string) {
    super()
  }

  override async check ({ connection }: RequestContext): Promise<boolean> {
    return connection.token === this.token
  }

  async listTables (): Promise<TableInfo[]> { return [{ code: 'holidays', title: 'Public holidays' }] }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    return table === 'holidays' ? [{ code: 'DATE', type: 'date' }, { code: 'NAME', type: 'string' }] : undefined
  }

  async * readRows (plan: ReadPlan): AsyncIterable<Row[]> {
    if (plan.table === 'holidays') yield [{ DATE: '2026-01-01', NAME: "New Year's Day" }]
  }
}

test('a 20-line custom adapter compiles; one without readRows does not', () => {
  expect(new Holidays('a-long-token')).type.toBeAssignableTo<Adapter>()
  // @ts-expect-error does not implement inherited abstract member readRows
  class Incomplete extends Adapter {
    async listTables (): Promise<TableInfo[]> { return [] }
    async describeTable (): Promise<FieldInfo[] | undefined> { return undefined }
  }
  void Incomplete
})

test('the default export is the connector plugin: fastify.register(b24bi, { adapter }) and its options', () => {
  const app = Fastify()
  const adapter = new Holidays('a-long-token')
  expect(app.register).type.toBeCallableWith(b24bi, { adapter })
  expect(app.register).type.toBeCallableWith(b24bi, { adapter, timeZone: 'Europe/Berlin', maxRows: 1000, paths: { data: '/data' } })
  expect(app.register).type.not.toBeCallableWith(b24bi, {})
  expect(app.register).type.not.toBeCallableWith(b24bi, { adapter, timeZone: 3 })
  expect(app.register).type.not.toBeCallableWith(b24bi, { adapter, noSuchOption: true })
  expect(app.register).type.not.toBeCallableWith(b24bi, { adapter: {} })
  expect<ConnectorPluginOptions['adapter']>().type.toBeAssignableFrom(adapter)
})
