import { stdSerializers } from 'pino'

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
