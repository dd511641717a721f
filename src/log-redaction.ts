/**
 * pino redaction paths: every connection value, passwords and tokens wherever they appear in a log object,
 * and credentials in request headers. Values are replaced with `[redacted]`.
 */
export const REDACTED_PATHS: string[] = [
  'connection',
  '*.connection',
  'body.connection',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-b24bi-secret"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'auth',
  '*.auth'
]
