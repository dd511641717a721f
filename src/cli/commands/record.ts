import { createWriteStream, type WriteStream } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { request } from 'undici'
import { ERR_CLI_USAGE } from '../../core/errors.js'
import { readAnswer, redactBody, redactPath, sessionMarkers, type MarkerFor, type TranscriptEntry } from '../transcript.js'
import { parseCommandArgs, requiredFlag, stringFlag } from '../args.js'
import type { CliIo, Command } from '../command.js'

const usage = `Usage: b24bi record --target <connector base URL> --out <file.ndjson> [--port 8088] [--host 127.0.0.1]

A recording proxy: register its URL in the portal (or point a probe at it) instead of the connector's; it forwards
every request to --target unchanged and appends each request and the connector's answer to --out (NDJSON).
Connection values are replaced by {{b24bi:setting:<code>}} markers: the file holds no secret. A second distinct
value of a setting (a check with wrong credentials) becomes <code>#2, replayed as a made-up value.
Answers are requested uncompressed so they can be compared; a broken stream is recorded as incomplete.
Replay the file with: b24bi replay <file.ndjson> <base URL> --setting <code>=<value> ...
`

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'accept-encoding', 'te', 'trailer', 'proxy-authorization'])

/** Options of `startRecorder`. */
export interface RecorderOptions {
  /** The connector's base URL, e.g. `http://127.0.0.1:3000`. */
  target: string
  /** The NDJSON file entries are appended to. */
  file: string
  port?: number // default 0 (any free port)
  host?: string // default '127.0.0.1'
}

async function readAll (stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function forward (target: string, incoming: IncomingMessage, outgoing: ServerResponse, out: WriteStream, markerFor: MarkerFor): Promise<void> {
  const at = new Date().toISOString()
  const body = await readAll(incoming)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value
  }
  const contentType = incoming.headers['content-type'] ?? ''
  const answer = await request(new URL(incoming.url ?? '/', target), { method: incoming.method as 'POST', headers, body: body.length > 0 ? body : undefined })
  outgoing.writeHead(answer.statusCode, Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name))))
  const read = await readAnswer(answer.body as AsyncIterable<Buffer>, async (chunk) => {
    if (!outgoing.write(chunk)) await new Promise((resolve) => outgoing.once('drain', resolve))
  })
  if (read.complete) outgoing.end()
  else outgoing.destroy() // the client must see the break too
  const entry: TranscriptEntry = {
    at,
    method: incoming.method ?? 'POST',
    path: redactPath(incoming.url ?? '/'),
    contentType,
    body: redactBody(body.toString('utf8'), contentType, markerFor),
    status: answer.statusCode,
    answerType: String(answer.headers['content-type'] ?? ''),
    ...read
  }
  out.write(JSON.stringify(entry) + '\n')
}

/** Starts the recording proxy; resolves with the listening server and the port. */
export async function startRecorder (options: RecorderOptions): Promise<{ server: Server, port: number, close: () => Promise<void> }> {
  const out = createWriteStream(options.file, { flags: 'a', mode: 0o600 })
  const markerFor = sessionMarkers()
  const server = createServer((incoming, outgoing) => {
    forward(options.target, incoming, outgoing, out, markerFor).catch(() => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"B24BI_ERR_SOURCE_UNAVAILABLE","message":"The recorded connector did not answer"}')
      else outgoing.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const close = async (): Promise<void> => {
    await new Promise((resolve) => server.close(resolve))
    await new Promise((resolve) => out.end(resolve))
  }
  return { server, port, close }
}

async function run (args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, { target: { type: 'string' }, out: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } })
  const target = requiredFlag(parsed, 'target')
  if (!/^https?:\/\//.test(target)) throw new ERR_CLI_USAGE('--target must be an http(s) URL')
  const port = Number(stringFlag(parsed, 'port') ?? 8088)
  const recorder = await startRecorder({ target, file: requiredFlag(parsed, 'out'), port, host: stringFlag(parsed, 'host') })
  io.stdout.write(`b24bi record: forwarding http://${stringFlag(parsed, 'host') ?? '127.0.0.1'}:${recorder.port} -> ${target}, writing ${requiredFlag(parsed, 'out')}\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await recorder.close()
  return 0
}

export const command: Command = { usage, run }
