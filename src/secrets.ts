import { createHmac, randomBytes, timingSafeEqual, createHash } from 'node:crypto'

/**
 * Compares two secrets in constant time (for their digests), whatever their lengths.
 * @example if (!safeEqual(connection.token, expected)) return false
 */
export function safeEqual (given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b) && given.length === expected.length
}

const processKey = randomBytes(32)

/**
 * A stable key for a set of connection values (cache and rate-limit keys), an HMAC with a per-process
 * random key: it never reveals the secrets, not even to someone who reads logs or a cache dump.
 */
export function credentialHash (connection: Readonly<Record<string, unknown>>): string {
  const canonical = JSON.stringify(Object.keys(connection).sort().map((key) => [key, String(connection[key])]))
  return createHmac('sha256', processKey).update(canonical).digest('base64url').slice(0, 32)
}
