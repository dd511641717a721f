import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import type { Adapter } from '../src/adapter.js'
import { normalizeBody, parseFormBody } from '../src/body.js'
import {
  ERR_CLIENT_GONE, ERR_REQUEST_INVALID, ERR_REQUEST_MALFORMED, ERR_REQUEST_MEDIA_TYPE, ERR_REQUEST_TOO_LARGE,
  isB24biError, type B24biError, toB24biError, ERR_ADAPTER_FAILED
} from '../src/errors.js'
import { dataLogLine } from '../src/data-log.js'
import type { DataStream } from '../src/data-stream.js'
import { AdapterRuntime, type DataSummary } from '../src/runtime.js'
import type { RuntimeOptions } from '../src/runtime-options.js'
import {
  CheckAnswer, CheckBody, DataAnswer, DataBody, ErrorAnswer, TableDescriptionAnswer, TableDescriptionBody, TableListAnswer, TableListBody
} from '../src/schemas.js'

/** The four endpoint paths. */
export interface ConnectorPaths {
  check: string // default '/api/check'
  tableList: string // default '/api/table_list'
  tableDescription: string // default '/api/table_description'
  data: string // default '/api/data'
}

/** Options of `connectorPlugin`. */
export interface ConnectorPluginOptions extends RuntimeOptions {
  /** The adapter to serve (or an already wrapped runtime). */
  adapter: Adapter | AdapterRuntime
  /** Paths of the four endpoints. */
  paths?: Partial<ConnectorPaths>
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number
}

export const DEFAULT_PATHS: ConnectorPaths = Object.freeze({
  check: '/api/check',
  tableList: '/api/table_list',
  tableDescription: '/api/table_description',
  data: '/api/data'
})

const DEFAULT_BODY_LIMIT = 1024 * 1024 // bytes

declare module 'fastify' {
  interface FastifyInstance {
    /** The adapter runtime the connector routes serve. */
    b24bi: AdapterRuntime
  }
}

function toHttpError (error: FastifyError | B24biError, bodyLimit: number): B24biError {
  if (isB24biError(error)) return error
  const fastifyError = error as FastifyError
  if (fastifyError.validation !== undefined) {
    const first = fastifyError.validation[0]
    const where = first?.instancePath !== undefined && first.instancePath !== '' ? first.instancePath.slice(1).replaceAll('/', '.') : 'body'
    return new ERR_REQUEST_INVALID(`${where} ${first?.message ?? 'is invalid'}`)
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new ERR_REQUEST_TOO_LARGE(String(bodyLimit))
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new ERR_REQUEST_MEDIA_TYPE()
  }
  if (fastifyError.statusCode === 400 || error instanceof SyntaxError) return new ERR_REQUEST_MALFORMED('not valid JSON or form data', { cause: error })
  if (fastifyError.statusCode === 429) return toB24biError(error)
  return toB24biError(error, ERR_ADAPTER_FAILED)
}

function logDataEnd (request: FastifyRequest, summary: DataSummary, maxAnswerBytes: number): void {
  const line = dataLogLine(summary, maxAnswerBytes)
  request.log[line.level](line.facts, line.message)
}

async function routes (fastify: FastifyInstance, options: { runtime: AdapterRuntime, paths: ConnectorPaths, bodyLimit: number }): Promise<void> {
  const { runtime, paths, bodyLimit } = options
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch (error) {
      done(new ERR_REQUEST_MALFORMED('not valid JSON', { cause: error }), undefined)
    }
  })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
  app.addHook('preValidation', async (request) => {
    request.body = normalizeBody(request.body)
  })
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const coded = toHttpError(error, bodyLimit)
    if (coded.statusCode >= 500) request.log.error({ err: coded, cause: coded.cause }, coded.message)
    else request.log.info({ code: coded.code }, coded.message)
    void reply.code(coded.statusCode).type('application/json; charset=utf-8').send({ error: coded.code, message: coded.message })
  })

  const errors = { 400: ErrorAnswer, 401: ErrorAnswer, 404: ErrorAnswer }

  app.post(paths.check, { schema: { body: CheckBody, response: { 200: CheckAnswer, ...errors } } }, async (request) => {
    await runtime.authenticate(request.body.connection, request.log)
    return { status: 'ok' as const }
  })

  app.post(paths.tableList, { schema: { body: TableListBody, response: { 200: TableListAnswer, ...errors } } }, async (request) => {
    const context = await runtime.authenticate(request.body.connection, request.log)
    return await runtime.tableList(request.body.searchString ?? '', context)
  })

  app.post(paths.tableDescription, { schema: { body: TableDescriptionBody, response: { 200: TableDescriptionAnswer, ...errors } } }, async (request) => {
    const context = await runtime.authenticate(request.body.connection, request.log)
    const table = request.body.table ?? request.body.name
    if (table === undefined) throw new ERR_REQUEST_INVALID('table is required')
    const fields = await runtime.describe(table, context)
    return fields.map((field) => ({ code: field.code, name: field.name ?? field.code, type: field.type }))
  })

  app.post(paths.data, { schema: { body: DataBody, response: { 200: DataAnswer, ...errors } } }, async (request, reply) => {
    const startedAt = performance.now()
    const context = await runtime.authenticate(request.body.connection, request.log)
    const disconnected = new AbortController()
    let stream: DataStream | undefined
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) {
        disconnected.abort(new ERR_CLIENT_GONE())
        stream?.destroy()
      }
    })
    stream = await runtime.data(request.body.table, request.body, context, {
      startedAt,
      signal: disconnected.signal,
      onEnd: (summary) => logDataEnd(request, summary, runtime.options.maxAnswerMegabytes * 1024 * 1024)
    })
    if (disconnected.signal.aborted) stream.destroy()
    // A stream is sent as is (no serialisation); the response schema documents the shape it produces.
    return await reply.type('application/json; charset=utf-8').send(stream as never)
  })
}

const connector: FastifyPluginAsync<ConnectorPluginOptions> = async (fastify, options) => {
  const { adapter, paths, bodyLimit, ...runtimeOptions } = options
  const runtime = adapter instanceof AdapterRuntime ? adapter : new AdapterRuntime(adapter, runtimeOptions)
  fastify.decorate('b24bi', runtime)
  fastify.addHook('onClose', async () => await runtime.close())
  fastify.get('/health', { logLevel: 'warn' }, async () => ({ status: 'ok' }))
  await fastify.register(routes, {
    runtime,
    paths: { ...DEFAULT_PATHS, ...paths },
    bodyLimit: bodyLimit ?? DEFAULT_BODY_LIMIT
  })
}

/**
 * The Bitrix24 BI Builder connector: the four POST endpoints (form or JSON bodies), validated,
 * authenticated and dispatched to the adapter; `GET /health`. The runtime is `fastify.b24bi`.
 *
 * @example
 * await fastify.register(connectorPlugin, { adapter: new MyAdapter(), timeZone: 'Europe/Berlin' })
 */
export const connectorPlugin = fp(connector, { fastify: '5.x', name: 'b24bi-connector' })
export default connectorPlugin
