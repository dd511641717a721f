import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import compress from '@fastify/compress'
import type { Adapter } from '../adapter.js'
import type { RuntimeOptions } from '../runtime-options.js'
import { connectorPlugin, type ConnectorPaths } from '../../plugins/connector.js'
import { REDACTED_PATHS } from '../log-redaction.js'

/** Everything `buildServer` needs. */
export interface ServerOptions {
  adapter: Adapter
  runtime?: RuntimeOptions
  paths?: Partial<ConnectorPaths>
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number
  /** pino options, a pino instance (`loggerInstance`), or false. Default: info level to stdout. */
  logger?: FastifyServerOptions['logger']
  loggerInstance?: FastifyServerOptions['loggerInstance']
  /** Trust X-Forwarded-* from a reverse proxy. Default false. */
  trustProxy?: FastifyServerOptions['trustProxy']
}

/** The connector server: Fastify with one log line per request, compression and the connector routes. */
export async function buildServer (options: ServerOptions): Promise<FastifyInstance> {
  const logger = options.loggerInstance !== undefined
    ? undefined
    : options.logger === false ? false : { level: 'info', ...(typeof options.logger === 'object' ? options.logger : {}), redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }
  const fastify = Fastify({
    ...(logger !== undefined ? { logger } : {}),
    ...(options.loggerInstance !== undefined ? { loggerInstance: options.loggerInstance } : {}),
    disableRequestLogging: true,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024
  })
  fastify.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, path: request.routeOptions.url ?? 'unknown', statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
  })
  await fastify.register(compress, { global: true, threshold: 1024 })
  await fastify.register(connectorPlugin, { adapter: options.adapter, paths: options.paths, bodyLimit: options.bodyLimit, ...options.runtime })
  return fastify
}
