import { stdSerializers } from 'pino'
import type { Logger } from '../core/adapter.js'

/**
 * pino redaction paths: every connection value, passwords and tokens wherever they appear in a log object,
 * and credentials in request headers and query. Values are replaced with `[redacted]`.
 */
export const REDACTED_PATHS: string[] = [
  'connection',
  '*.connection',
  'body.connection',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-b24bi-secret"]',
  'req.query.secret',
  'query.secret',
  'password',
  '*.password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'auth',
  '*.auth',
  'sharedSecret',
  '*.sharedSecret'
]

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi
const SECRET_PARAMS = /\b(password|passwd|pwd|secret|token|access_token|refresh_token|auth)=([^\s&;'"]+)/gi

/**
 * Removes credentials from free text (driver messages, stacks): `scheme://user:pass@` becomes
 * `scheme://[redacted]@`, and `password=...`, `secret=...`, `token=...` lose their values.
 *
 * @example scrubSecrets('connect postgres://app:hunter2@db/x failed') // 'connect postgres://[redacted]@db/x failed'
 */
export function scrubSecrets (text: string): string {
  return text.replace(URL_USERINFO, '$1[redacted]@').replace(SECRET_PARAMS, '$1=[redacted]')
}

/** A pino `err` serializer step: scrubs message and stack of an already serialized error and its causes. */
export function scrubSerializedError<T> (serialized: T): T {
  if (typeof serialized !== 'object' || serialized === null) return serialized
  const out: Record<string, unknown> = { ...(serialized as Record<string, unknown>) }
  for (const key of ['message', 'stack']) if (typeof out[key] === 'string') out[key] = scrubSecrets(out[key])
  if (out.cause !== undefined) out.cause = scrubSerializedError(out.cause)
  return out as T
}

/** Driver messages may hold a connection string: scrubs credentials from a logged error and its causes. */
function scrubbedError (error: Error): ReturnType<typeof stdSerializers.err> {
  return scrubSerializedError(error instanceof Error ? stdSerializers.err(error) : error)
}

/**
 * The redaction every b24bi logger applies (the server's and the conformance kit's): `REDACTED_PATHS` censored,
 * and `err` / `cause` serialized with credentials scrubbed from message and stack.
 *
 * @example
 * const logger = pino({ level: 'info', ...redactionOptions() })
 */
export function redactionOptions (): { redact: { paths: string[], censor: string }, serializers: Record<'err' | 'cause', typeof scrubbedError> } {
  return { redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: scrubbedError, cause: scrubbedError } }
}

/**
 * Connection values shorter than this many characters are not scrubbed from errors: replacing `1` or `on`
 * everywhere would garble every message and hide nothing.
 */
export const MIN_SCRUBBED_VALUE_LENGTH = 4

/** Keys of an error that name what it is, never what it carried: left alone. */
const ERROR_IDENTITY_KEYS = new Set(['name', 'code', 'statusCode', 'errno', 'syscall'])
/** How deep causes and nested objects are followed. */
const SCRUB_DEPTH = 6

type Replace = (text: string) => string

/**
 * The replacer of one request's connection values: each value of at least `MIN_SCRUBBED_VALUE_LENGTH`
 * characters, also percent-encoded (in a URL) and JSON-escaped, becomes `[redacted:<setting code>]`;
 * longer values first, so a value that contains another is replaced whole. Undefined when nothing qualifies.
 */
function connectionReplacer (connection: Readonly<Record<string, string>>): Replace | undefined {
  const pairs: Array<[string, string]> = []
  for (const [code, value] of Object.entries(connection)) {
    if (typeof value !== 'string' || value.length < MIN_SCRUBBED_VALUE_LENGTH) continue
    const marker = `[redacted:${code}]`
    for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])) pairs.push([form, marker])
  }
  if (pairs.length === 0) return undefined
  pairs.sort(([a], [b]) => b.length - a.length)
  return (text) => {
    let out = text
    for (const [value, marker] of pairs) if (out.includes(value)) out = out.split(value).join(marker)
    return out
  }
}

function isPlainObject (value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown
  return prototype === Object.prototype || prototype === null
}

function scrubAny (value: unknown, replace: Replace, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return replace(value)
  if (typeof value !== 'object' || value === null || depth <= 0 || seen.has(value)) return value
  seen.add(value)
  if (value instanceof Error) return scrubErrorObject(value, replace, depth, seen)
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => scrubAny(item, replace, depth - 1, seen))
    return items.every((item, i) => item === value[i]) ? value : items
  }
  if (!isPlainObject(value)) return value
  let copy: Record<string, unknown> | undefined
  for (const [key, item] of Object.entries(value)) {
    const scrubbed = scrubAny(item, replace, depth - 1, seen)
    if (scrubbed !== item) (copy ??= { ...value })[key] = scrubbed
  }
  return copy ?? value
}

/**
 * Scrubs an error in place (message, stack, every other own string-holding property, its cause and, for an
 * AggregateError, its errors), so whoever logs it later sees no value. A frozen error cannot change: then a
 * plain `Error` copy with the scrubbed content is returned instead.
 */
function scrubErrorObject (error: Error, replace: Replace, depth: number, seen: WeakSet<object>): Error {
  const record = error as unknown as Record<string, unknown>
  const changes = new Map<string, unknown>()
  for (const key of new Set(['message', 'stack', 'cause', 'errors', ...Object.keys(error)])) {
    if (ERROR_IDENTITY_KEYS.has(key) || !(key in error)) continue
    const before = record[key]
    const after = scrubAny(before, replace, depth - 1, seen)
    if (after !== before) changes.set(key, after)
  }
  if (changes.size === 0) return error
  try {
    for (const [key, value] of changes) record[key] = value
    return error
  } catch {
    const copy = new Error(String(changes.get('message') ?? error.message)) as Error & Record<string, unknown>
    for (const key of new Set([...Object.keys(error), 'name', 'stack', 'cause'])) {
      if (key in error) copy[key] = changes.has(key) ? changes.get(key) : record[key]
    }
    return copy
  }
}

/**
 * Removes every value of a request's `connection` (at least `MIN_SCRUBBED_VALUE_LENGTH` characters; also
 * percent-encoded and JSON-escaped) from what an adapter threw or logs, whatever it wrote: a string, an error
 * (scrubbed in place, with its causes), or plain objects and arrays (copied). Each value becomes
 * `[redacted:<setting code>]`. The runtime applies it to every adapter failure before anyone logs or answers it.
 *
 * @example
 * scrubConnectionValues(new Error('cannot log in with hunter2!'), { password: 'hunter2!' }).message
 * // 'cannot log in with [redacted:password]'
 */
export function scrubConnectionValues<T> (value: T, connection: Readonly<Record<string, string>>): T {
  const replace = connectionReplacer(connection)
  return replace === undefined ? value : scrubAny(value, replace, SCRUB_DEPTH, new WeakSet()) as T
}

/** The errors in a logged object (the object itself, or its top-level values) scrubbed; other values as they are. */
function scrubLoggedErrors (obj: unknown, replace: Replace): unknown {
  if (obj instanceof Error) return scrubAny(obj, replace, SCRUB_DEPTH, new WeakSet())
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || !isPlainObject(obj)) return obj
  let copy: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(obj)) {
    if (!(value instanceof Error)) continue
    const scrubbed = scrubAny(value, replace, SCRUB_DEPTH, new WeakSet())
    if (scrubbed !== value) (copy ??= { ...obj })[key] = scrubbed
  }
  return copy ?? obj
}

/**
 * The logger an adapter gets in its request context: writes through `log`, with the request's connection values
 * scrubbed from every error it logs (`log.warn({ err }, 'cancelling failed')`: a driver message holding a
 * password). A value the adapter logs on purpose as a field or in the message is left as written, so the
 * conformance kit's secrets check still names that adapter. Built on every request, so the values' forms are
 * worked out only when the adapter first logs something.
 */
export function connectionScrubbingLogger (log: Logger, connection: Readonly<Record<string, string>>): Logger {
  let replace: Replace | undefined | null = null // null: not worked out yet; undefined: no value qualifies
  const scrubbed = (level: keyof Logger) => (obj: unknown, ...rest: unknown[]): void => {
    if (replace === null) replace = connectionReplacer(connection)
    Reflect.apply(log[level], log, [replace === undefined ? obj : scrubLoggedErrors(obj, replace), ...rest])
  }
  return { debug: scrubbed('debug'), info: scrubbed('info'), warn: scrubbed('warn'), error: scrubbed('error') }
}
