import { createHash } from 'node:crypto'
import { ERR_CLI_USAGE } from '../errors.js'

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

const FORM_CONNECTION_KEY = /^connection\[([^\]]*)\]$/

function redactForm (body: string, markerFor: MarkerFor): string {
  return body.split('&').map((pair) => {
    const at = pair.indexOf('=')
    if (at < 0) return pair
    let key: string
    try {
      key = decodeURIComponent(pair.slice(0, at).replaceAll('+', ' '))
    } catch {
      return pair
    }
    const code = FORM_CONNECTION_KEY.exec(key)?.[1]
    if (code === undefined) return pair
    let value: string
    try {
      value = decodeURIComponent(pair.slice(at + 1).replaceAll('+', ' '))
    } catch {
      value = pair.slice(at + 1)
    }
    return `${pair.slice(0, at)}=${encodeURIComponent(markerFor(code, value))}`
  }).join('&')
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
  const connection = record.connection
  if (typeof connection !== 'object' || connection === null) return body
  const redacted = Object.fromEntries(Object.entries(connection).map(([code, value]) => [code, markerFor(code, String(value))]))
  return JSON.stringify({ ...record, connection: redacted })
}

/**
 * The request body with every `connection` value replaced by its marker. A body that cannot be read
 * (not form, not JSON) is kept only when it cannot hold a connection value the connector would accept.
 */
export function redactBody (body: string, contentType: string, markerFor: MarkerFor = oneMarker): string {
  if (/application\/x-www-form-urlencoded/i.test(contentType)) return redactForm(body, markerFor)
  if (/json/i.test(contentType)) return redactJson(body, markerFor) ?? (body.includes('connection') ? '[redacted: unreadable JSON naming connection]' : body)
  return body.includes('connection') ? '[redacted: unreadable body naming connection]' : body
}

/**
 * Puts the real setting values back into a redacted body. Every `<code>` marker needs a value; a `<code>#N`
 * marker (a further distinct value in the recording, e.g. a wrong password) defaults to a made-up value.
 */
export function restoreBody (body: string, contentType: string, settings: Readonly<Record<string, string>>): string {
  const form = /application\/x-www-form-urlencoded/i.test(contentType)
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

/** Removes the shared secret from a recorded path (`?secret=...`). */
export function redactPath (path: string): string {
  return path.replace(/([?&]secret=)[^&]*/g, '$1[redacted]')
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
