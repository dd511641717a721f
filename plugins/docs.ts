import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { loadDriver } from '../src/util/driver-load.js'

/** Options of `docsPlugin`. */
export interface DocsPluginOptions {
  /** Where the UI is served; the document is at `<path>/json`. Default '/docs'. */
  path?: string
  /** The API title. Default 'b24bi connector'. */
  title?: string
  /** The API version shown. Default '1'. */
  version?: string
}

/** The connector accepts both bodies the portal may send; the route schemas only say what the body holds. */
const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json']

const docs: FastifyPluginAsync<DocsPluginOptions> = async (fastify, options) => {
  const path = options.path ?? '/docs'
  // Loaded only when /docs is on: swagger and its UI are optional peer dependencies.
  const [{ default: swagger }, { default: swaggerUi }] = await loadDriver(['@fastify/swagger', '@fastify/swagger-ui'],
    async () => await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]))
  await fastify.register(swagger, {
    openapi: {
      info: {
        title: options.title ?? 'b24bi connector',
        version: options.version ?? '1',
        description: 'The four endpoints Bitrix24 BI Builder calls (urlCheck, urlTableList, urlTableDescription, urlData) and the operations probes. ' +
          'Bodies are form-encoded in PHP bracket notation, or JSON with the same structure.'
      },
      tags: [{ name: 'connector', description: 'Called by Bitrix24' }, { name: 'operations', description: 'Probes' }]
    },
    transform: ({ schema, url, route }) => {
      const routeSchema = { ...(schema as Record<string, unknown>) }
      if (route.method === 'POST') {
        routeSchema.consumes = BODY_TYPES
        routeSchema.tags ??= ['connector']
      }
      return { schema: routeSchema as typeof schema, url }
    }
  })
  await fastify.register(swaggerUi, { routePrefix: path, staticCSP: true })
}

/**
 * OpenAPI 3 for every route registered after it (the connector's four endpoints, from the same TypeBox
 * schemas that validate them), with the UI at `/docs` and the document at `/docs/json`.
 * Register it BEFORE the connector plugin: it collects routes as they are added. It needs `@fastify/swagger` and
 * `@fastify/swagger-ui` (optional peer dependencies); without them registering fails with B24BI_ERR_DRIVER_MISSING.
 *
 * @example
 * await fastify.register(docsPlugin)
 * await fastify.register(b24bi, { adapter })
 */
export const docsPlugin = fp(docs, { fastify: '5.x', name: 'b24bi-docs' })
export default docsPlugin
