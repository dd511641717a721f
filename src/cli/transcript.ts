import { createHash } from 'node:crypto'
import { parseFormBody } from '../protocol/form-body.js'
import { ERR_CLI_USAGE } from '../core/errors.js'

/**
 * One portal request and the connector's answer, as `b24bi record` writes it (one JSON object per NDJSON line).
 * Connection values in `body` are replaced by `{{b24bi:setting:<code>}}` markers; `b24bi replay` puts them back.
 */
export interface TranscriptEntry {
  /** When the request arrived (ISO 8601). */
  at: string
  method: string
  /** Path and query as sent (the shared-secret query parameter is redacted). */
  path: string
  /** The request's content type. */
  contentType: string
  /** The request body as sent, connection values redacted. */
  body: string
  /** The answer's HTTP status. */
  status: number
  /** The answer's content type. */
  answerType: string
  /** The answer's length in bytes. */
  answerBytes: number
  /** sha256 of the whole answer (hex): what replay compares. */
  answerSha256: string
  /** The answer's text, up to `ANSWER_TEXT_LIMIT` bytes (for a readable difference). */
  answer: string
  /** False when the answer broke off (a failed stream). */
  complete: boolean
}

/** How much of an answer's text a transcript keeps (the hash covers all of it). */
export const ANSWER_TEXT_LIMIT = 256 * 1024 // bytes

const MARKER = /\{\{b24bi:setting:([^}]*)\}\}/g

/** The marker standing for the value of setting `code` (`token`, or `token#2` for a second distinct value). */
export function settingMarker (code: string): string {
  return `{{b24bi:setting:${code}}}`
}

/** Chooses the marker for one setting value. */
export type MarkerFor = (code: string, value: string) => string

/**
 * Markers for a recording session: the first distinct value of a setting is `<code>`, the next ones `<code>#2`,
 * `<code>#3`... (a portal or probe checking wrong credentials), so a replay sends a right value where the
 * recording had one and a wrong one where it had that. Only hashes of the values are kept, in memory.
 */
export function sessionMarkers (): MarkerFor {
  const seen = new Map<string, Map<string, number>>()
  return (code, value) => {
    const digest = createHash('sha256').update(value).digest('base64')
    let values = seen.get(code)
    if (values === undefined) seen.set(code, values = new Map())
    let n = values.get(digest)
    if (n === undefined) values.set(digest, n = values.size + 1)
    return settingMarker(n === 1 ? code : `${code}#${n}`)
  }
}

const oneMarker: MarkerFor = (code) => settingMarker(code)

const FORM_TYPE = 'application/x-www-form-urlencoded'

/**
 * The media type of a content-type header as Fastify picks a body parser by it: the part before `;`, trimmed and
 * lower-cased (`application/json; x=application/x-www-form-urlencoded` is JSON).
 */
function mediaType (contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase()
}

// qs splits a pair at its first `]=` (a key may hold `=` inside brackets), else at its first `=`.
function valueStart (pair: string): number {
  const bracketEquals = pair.indexOf(']=')
  return bracketEquals < 0 ? pair.indexOf('=') : bracketEquals + 1
}

function decodeLoosely (text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return text
  }
}

/** The setting a connection value belongs to and the value, from the parsed `connection` of one pair or body. */
function leaves (code: string, value: unknown): Array<{ code: string, value: string }> {
  if (value === null || value === undefined) return []
  if (typeof value !== 'object') return [{ code, value: String(value) }]
  return Object.values(value).flatMap((item) => leaves(code, item))
}

// Each pair is decoded alone with the server's own form decoder: it lands under `connection` in the whole body
// exactly when it does alone (qs merges pairs key by key), whatever its spelling: `connection[token][]`,
// `connection[token][0]`, `%63onnection%5Btoken%5D`.
function redactFormPair (pair: string, markerFor: MarkerFor): string {
  const at = valueStart(pair)
  if (at < 0) return pair
  let connection: unknown
  try {
    connection = parseFormBody(pair).connection
  } catch {
    // Too deep for the server, which refuses the body: still keep no value under a key naming connection.
    return /connection/i.test(decodeLoosely(pair.slice(0, at))) ? `${pair.slice(0, at)}=${encodeURIComponent(markerFor('connection', decodeLoosely(pair.slice(at + 1))))}` : pair
  }
  if (connection === undefined) return pair
  const code = typeof connection === 'object' && connection !== null ? Object.keys(connection)[0] ?? 'connection' : 'connection'
  const [leaf] = leaves(code, connection)
  if (leaf === undefined || leaf.value === '') return pair
  return `${pair.slice(0, at)}=${encodeURIComponent(markerFor(leaf.code, leaf.value))}`
}

function redactForm (body: string, markerFor: MarkerFor): string {
  return body.split('&').map((pair) => redactFormPair(pair, markerFor)).join('&')
}

function redactJsonValue (code: string, value: unknown, markerFor: MarkerFor): unknown {
  if (value === null || value === undefined) return value
  if (Array.isArray(value)) return value.map((item) => redactJsonValue(code, item, markerFor))
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactJsonValue(code, item, markerFor)]))
  return markerFor(code, String(value))
}

function redactJson (body: string, markerFor: MarkerFor): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body
  const record = parsed as Record<string, unknown>
  if (!Object.hasOwn(record, 'connection')) return body
  const connection = record.connection
  const redacted = typeof connection === 'object' && connection !== null
    ? Object.fromEntries(Object.entries(connection).map(([code, value]) => [code, redactJsonValue(code, value, markerFor)]))
    : redactJsonValue('connection', connection, markerFor)
  return JSON.stringify({ ...record, connection: Array.isArray(connection) ? Object.values(redacted as object) : redacted })
}

/**
 * The request body with every value under `connection` replaced by its marker, read as the server reads it: the
 * media type picks the decoder (form in PHP bracket notation with the server's qs settings, or JSON), and every
 * spelling the decoder accepts is redacted. A body that cannot be read (neither form nor JSON) is kept only when
 * it cannot hold a connection value.
 */
export function redactBody (body: string, contentType: string, markerFor: MarkerFor = oneMarker): string {
  const type = mediaType(contentType)
  if (type === FORM_TYPE) return redactForm(body, markerFor)
  const namesConnection = /connection/i.test(body) || /connection/i.test(decodeLoosely(body))
  if (/json/.test(type)) return redactJson(body, markerFor) ?? (namesConnection ? '[redacted: unreadable JSON naming connection]' : body)
  return namesConnection ? '[redacted: unreadable body naming connection]' : body
}

/**
 * Puts the real setting values back into a redacted body. Every `<code>` marker needs a value; a `<code>#N`
 * marker (a further distinct value in the recording, e.g. a wrong password) defaults to a made-up value.
 */
export function restoreBody (body: string, contentType: string, settings: Readonly<Record<string, string>>): string {
  const form = mediaType(contentType) === FORM_TYPE
  const text = form ? body.replace(/%7B%7Bb24bi%3Asetting%3A(.*?)%7D%7D/g, (_match, code: string) => settingMarker(decodeURIComponent(code))) : body
  return text.replace(MARKER, (_match, written: string) => {
    const code = form ? written : unescapeJson(written)
    const value = settings[code] ?? (code.includes('#') ? `b24bi-replay-other-${code}` : undefined)
    if (value === undefined) throw new ERR_CLI_USAGE(`the transcript needs --setting ${code}=<value>`)
    return form ? encodeURIComponent(value) : JSON.stringify(value).slice(1, -1)
  })
}

function unescapeJson (text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string
  } catch {
    return text
  }
}

/**
 * Removes the shared secret from a recorded path: every query parameter whose name, decoded as the server's query
 * parser decodes it (`+` a space, percent escapes: `secr%65t`), is `secret` (or starts with it: `secret[]`).
 */
export function redactPath (path: string): string {
  const at = path.indexOf('?')
  if (at < 0) return path
  const query = path.slice(at + 1).split('&').map((pair) => {
    const equals = pair.indexOf('=')
    if (equals < 0) return pair
    return decodeLoosely(pair.slice(0, equals)).trim().toLowerCase().startsWith('secret') ? `${pair.slice(0, equals)}=[redacted]` : pair
  })
  return `${path.slice(0, at)}?${query.join('&')}`
}

/**
 * Reads an answer body once: its sha256 (incremental: a large answer is never held whole), its size, its first
 * `ANSWER_TEXT_LIMIT` bytes as text, and whether it ended cleanly. `onChunk` sees every chunk as it arrives.
 */
export async function readAnswer (
  body: AsyncIterable<Buffer>,
  onChunk?: (chunk: Buffer) => Promise<void> | void
): Promise<Pick<TranscriptEntry, 'answerSha256' | 'answerBytes' | 'answer' | 'complete'>> {
  const hash = createHash('sha256')
  const kept: Buffer[] = []
  let bytes = 0
  let complete = true
  try {
    for await (const chunk of body) {
      hash.update(chunk)
      if (bytes < ANSWER_TEXT_LIMIT) kept.push(chunk)
      bytes += chunk.length
      await onChunk?.(chunk)
    }
  } catch {
    complete = false
  }
  const answer = Buffer.concat(kept).toString('utf8').slice(0, ANSWER_TEXT_LIMIT)
  return { answerSha256: hash.digest('hex'), answerBytes: bytes, answer, complete }
}

/** Parses an NDJSON transcript; a bad line is a usage error naming its number. */
export function parseTranscript (text: string): TranscriptEntry[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line, index) => {
    try {
      return JSON.parse(line) as TranscriptEntry
    } catch (error) {
      throw new ERR_CLI_USAGE(`transcript line ${index + 1} is not JSON`, { cause: error })
    }
  })
}

/** Where a replayed answer differs from the recorded one; an empty list when it does not. */
export function answerDifferences (recorded: TranscriptEntry, replayed: Pick<TranscriptEntry, 'status' | 'answerSha256' | 'answerBytes' | 'answer' | 'complete'>): string[] {
  const differences: string[] = []
  if (recorded.status !== replayed.status) differences.push(`status ${recorded.status} -> ${replayed.status}`)
  if (recorded.complete !== replayed.complete) differences.push(replayed.complete ? 'the answer is now complete' : 'the answer now breaks off')
  if (recorded.answerSha256 !== replayed.answerSha256) {
    let at = 0
    while (at < recorded.answer.length && recorded.answer[at] === replayed.answer[at]) at++
    const context = (text: string): string => JSON.stringify(text.slice(Math.max(0, at - 40), at + 60))
    differences.push(`answer differs (${recorded.answerBytes} -> ${replayed.answerBytes} bytes) at character ${at}: ${context(recorded.answer)} -> ${context(replayed.answer)}`)
  }
  return differences
}
