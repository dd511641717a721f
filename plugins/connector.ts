import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import type { Adapter } from '../src/core/adapter.js'
import { normalizeBody } from '../src/protocol/form-body.js'
import { registerBodyParsers } from '../src/fastify/body-parsers.js'
import { DEFAULT_PATHS, type ConnectorPaths } from '../src/protocol/endpoints.js'
import { answerError, markLogged } from '../src/fastify/error-answer.js'
import { ERR_CLIENT_GONE, ERR_REQUEST_INVALID } from '../src/core/errors.js'
import { dataLogLine } from '../src/runtime/data-log.js'
import type { DataStream } from '../src/runtime/data-stream.js'
import { AdapterRuntime, type DataSummary } from '../src/runtime/runtime.js'
import type { RuntimeOptions } from '../src/runtime/runtime-options.js'
import {
  CheckAnswer, CheckBody, DataAnswer, DataBody, ErrorAnswer, TableDescriptionAnswer, TableDescriptionBody, TableListAnswer, TableListBody
} from '../src/protocol/request-schemas.js'

/** Options of the connector plugin (`fastify.register(b24bi, options)`). */
export interface ConnectorPluginOptions extends RuntimeOptions {
  /** The adapter to serve (or an already wrapped runtime). */
  adapter: Adapter | AdapterRuntime
  /** Paths of the four endpoints. */
  paths?: Partial<ConnectorPaths>
  /** Largest request body of the four routes, in bytes. Default: the server's `bodyLimit` (Fastify's: 1 MiB). */
  bodyLimit?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The adapter runtime the connector routes serve. */
    b24bi: AdapterRuntime
  }
}

function logDataEnd (request: FastifyRequest, summary: DataSummary, maxAnswerBytes: number): void {
  const line = dataLogLine(summary, maxAnswerBytes)
  request.log[line.level](line.facts, line.message)
  // A failure before the first byte is also answered by the error handler: this line, with its facts, is its log.
  markLogged(summary.error)
}

async function routes (fastify: FastifyInstance, options: { runtime: AdapterRuntime, paths: ConnectorPaths, bodyLimit: number | undefined }): Promise<void> {
  const { runtime, paths, bodyLimit } = options
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  registerBodyParsers(fastify)
  app.addHook('preValidation', async (request) => {
    request.body = normalizeBody(request.body)
  })
  app.setErrorHandler(answerError)

  const errors = { 400: ErrorAnswer, 401: ErrorAnswer, 404: ErrorAnswer }
  const limit = bodyLimit === undefined ? {} : { bodyLimit }

  app.post(paths.check, { ...limit, schema: { body: CheckBody, response: { 200: CheckAnswer, ...errors } } }, async (request) => {
    await runtime.authenticate(request.body.connection, request.log, { address: request.ip })
    return { status: 'ok' as const }
  })

  app.post(paths.tableList, { ...limit, schema: { body: TableListBody, response: { 200: TableListAnswer, ...errors } } }, async (request) => {
    const context = await runtime.authenticate(request.body.connection, request.log, { address: request.ip })
    return await runtime.tableList(request.body.searchString ?? '', context)
  })

  app.post(paths.tableDescription, { ...limit, schema: { body: TableDescriptionBody, response: { 200: TableDescriptionAnswer, ...errors } } }, async (request) => {
    const context = await runtime.authenticate(request.body.connection, request.log, { address: request.ip })
    const table = request.body.table ?? request.body.name
    if (table === undefined) throw new ERR_REQUEST_INVALID('table is required')
    const fields = await runtime.describe(table, context)
    return fields.map((field) => ({ code: field.code, name: field.name ?? field.code, type: field.type }))
  })

  app.post(paths.data, { ...limit, schema: { body: DataBody, response: { 200: DataAnswer, ...errors } } }, async (request, reply) => {
    const startedAt = performance.now()
    const context = await runtime.authenticate(request.body.connection, request.log, { address: request.ip })
    const disconnected = new AbortController()
    // eslint-disable-next-line prefer-const -- the close listener reads it before it is assigned
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
  await fastify.register(routes, {
    runtime,
    paths: { ...DEFAULT_PATHS, ...paths },
    bodyLimit
  })
}

/**
 * The Bitrix24 BI Builder connector: the four POST endpoints (form or JSON bodies), validated,
 * authenticated and dispatched to the adapter. The runtime is `fastify.b24bi`. Liveness and readiness are the
 * health plugin's.
 *
 * @example
 * import b24bi from 'b24bi'
 * await fastify.register(b24bi, { adapter: new MyAdapter(), timeZone: 'Europe/Berlin' })
 */
export const connectorPlugin = fp(connector, { fastify: '5.x', name: 'b24bi-connector' })
