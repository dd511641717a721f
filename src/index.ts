import { connectorPlugin } from '../plugins/connector.js'

/**
 * The Bitrix24 BI Builder connector as a Fastify plugin: the four endpoints the portal calls, dispatched to your
 * adapter. The runtime it builds is `fastify.b24bi`.
 *
 * @example
 * import b24bi from 'b24bi'
 * await fastify.register(b24bi, { adapter: new MyAdapter(), timeZone: 'Europe/Berlin' })
 */
export default connectorPlugin
export type { ConnectorPluginOptions } from '../plugins/connector.js'

// The adapter contract.
export { Adapter } from './core/adapter.js'
export type { Capabilities, Connection, EncodePlan, Logger, PushdownScope, ReadPlan, RequestContext, Row, Setting } from './core/adapter.js'
export type { EncodedRows } from './core/text-rows.js'
export type { FieldInfo, FieldType, TableInfo } from './core/field-types.js'

// Tables declared as TypeBox schemas.
export { TypedAdapter, Money, Int64, Zoned, TimeZoneId } from './core/typed-adapter.js'
export type { TableRow, TypedReaders } from './core/typed-adapter.js'

// Errors: every one by name in `errorCodes`; the ones an adapter throws also by themselves.
export { B24biError, isB24biError } from './core/errors.js'
export { errorCodes } from './core/error-codes.js'
export {
  ERR_AUTH_REJECTED, ERR_CONFIG_INVALID, ERR_NOT_SUPPORTED, ERR_QUERY_TIMEOUT, ERR_SETTING_INVALID, ERR_SOURCE_BUSY, ERR_SOURCE_FAILED,
  ERR_SOURCE_UNAVAILABLE
} from './core/errors.js'
