import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { DEFAULT_PATHS } from '../protocol/endpoints.js'
import type { RuntimeOptions } from '../runtime/runtime-options.js'
import { redactionOptions } from '../policy/log-redaction.js'
import { buildServer } from '../server/build-server.js'
import { parseExactJson, type ExactValue } from '../util/exact-json.js'
import type { ObservedAdapter } from './observed-adapter.js'

/** The endpoint paths the kit serves on (the connector's defaults). */
export const KIT_PATHS = DEFAULT_PATHS

/** One of the four endpoints. */
export type Endpoint = keyof typeof KIT_PATHS

/** Everything the servers of one kit run answered and logged, for the secret scan. */
export interface KitRecord {
  answers: string[]
  logs: string[]
}

/** One answer: status, body text and, when it is JSON, the body parsed with exact numbers. */
export interface KitAnswer {
  status: number
  text: string
  json: ExactValue | undefined
}

function memoryLogger (record: KitRecord): pino.Logger {
  let partial = ''
  const stream = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line !== '') record.logs.push(line)
      callback()
    }
  })
  // The same redaction and error scrubbing the production server applies, at debug to see every line.
  return pino({ level: 'debug', ...redactionOptions() }, stream)
}

/** A connector server for the kit: real Fastify, the author's adapter, logs captured in memory. */
export class KitServer {
  readonly fastify: FastifyInstance
  readonly #record: KitRecord
  #url: string | undefined

  private constructor (fastify: FastifyInstance, record: KitRecord) {
    this.fastify = fastify
    this.#record = record
  }

  /** Builds a server (not listening) around the observed adapter. */
  static async start (adapter: ObservedAdapter, runtime: RuntimeOptions, record: KitRecord): Promise<KitServer> {
    const fastify = await buildServer({ adapter, runtime, paths: KIT_PATHS, loggerInstance: memoryLogger(record) })
    await fastify.ready()
    return new KitServer(fastify, record)
  }

  /** POSTs a body to an endpoint through `inject()`: JSON by default, or the portal's form encoding. */
  async post (endpoint: Endpoint, body: unknown, options: { raw?: string, contentType?: string } = {}): Promise<KitAnswer> {
    const response = await this.fastify.inject({
      method: 'POST',
      url: KIT_PATHS[endpoint],
      payload: options.raw ?? JSON.stringify(body),
      headers: { 'content-type': options.contentType ?? 'application/json' }
    })
    const text = response.body
    this.#record.answers.push(text)
    let json: ExactValue | undefined
    try {
      json = parseExactJson(text)
    } catch {
      json = undefined
    }
    return { status: response.statusCode, text, json }
  }

  /** Listens on a free local port (once) and returns the base URL, for reads that must stream. */
  async url (): Promise<string> {
    this.#url ??= await this.fastify.listen({ port: 0, host: '127.0.0.1' })
    return this.#url
  }

  async close (): Promise<void> {
    await this.fastify.close()
  }
}
