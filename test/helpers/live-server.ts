import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import qs from 'qs'
import type { Adapter } from '../../src/core/adapter.js'
import { buildServer, type ServerOptions } from '../../src/server/index.js'

/** A server listening on a loopback port, its captured log lines and base URL. */
export interface LiveServer {
  app: FastifyInstance
  url: string
  port: number
  logs: string[]
}

/** Starts the connector on 127.0.0.1:0 with every log line captured (level debug, the server's own redaction). */
export async function liveServer (adapter: Adapter, options: Partial<ServerOptions> = {}): Promise<LiveServer> {
  const logs: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { logs.push(String(chunk)); done() } })
  const app = await buildServer({ adapter, logger: { level: 'debug', stream }, ...options })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { app, url: `http://127.0.0.1:${port}`, port, logs }
}

/** A portal-shaped form body. */
export function formBody (body: Record<string, unknown>): string {
  return qs.stringify(body, { arrayFormat: 'indices' })
}

/** What a client saw of an answer: status, the bytes it got, and whether the transfer broke. */
export interface SeenAnswer {
  status: number
  body: string
  broken: boolean
  headers: Record<string, string | string[] | undefined>
}

/** POSTs a form body and reads the answer to the end or to the break, never throwing for a broken transfer. */
export async function postForm (url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<SeenAnswer> {
  const { request } = await import('undici')
  const answer = await request(url, {
    method: 'POST',
    body: formBody(body),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }
  })
  const chunks: Buffer[] = []
  let broken = false
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) chunks.push(chunk)
  } catch {
    broken = true
  }
  return { status: answer.statusCode, body: Buffer.concat(chunks).toString('utf8'), broken, headers: answer.headers }
}

/** True when `text` parses as JSON. */
export function isJson (text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
