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

/**
 * True when `given` equals one of `expected` (a token list during a rotation: the current and the next token);
 * every candidate is compared in constant time, so the answer time does not tell which one matched.
 * @example matchesAny(connection.token ?? '', ['current-token', 'next-token'])
 */
export function matchesAny (given: string, expected: readonly string[]): boolean {
  let found = false
  for (const candidate of expected) found = safeEqual(given, candidate) || found
  return found
}

const processKey = randomBytes(32)

/** The shortest `hashKey` (B24BI_HASH_KEY) accepted, in characters: `openssl rand -hex 32` gives 64. */
export const MIN_HASH_KEY_LENGTH = 32

/**
 * A stable key for a set of connection values (cache and rate-limit keys), an HMAC: it never reveals the secrets,
 * not even to someone who reads logs or a cache dump. The key is random per process unless `hashKey` is given;
 * replicas that share a rate-limit store must all be given the same one (B24BI_HASH_KEY), or each counts apart.
 */
export function credentialHash (connection: Readonly<Record<string, unknown>>, hashKey?: string): string {
  const canonical = JSON.stringify(Object.keys(connection).sort().map((key) => [key, String(connection[key])]))
  return createHmac('sha256', hashKey ?? processKey).update(canonical).digest('base64url').slice(0, 32)
}
