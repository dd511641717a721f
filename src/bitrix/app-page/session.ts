import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'

/** What a page session proves: which portal, whether the user manages the application, until when. */
export interface PageSession {
  memberId: string
  admin: boolean
  /** Epoch milliseconds. */
  expiresAt: number
}

const VERSION = 'v1'

/**
 * Short signed page sessions (no cookies: in the portal's frame they would be third-party cookies). The token is
 * `v1.<payload>.<HMAC-SHA256>`, base64url; the key is derived from the application's client secret (HKDF), so
 * every replica accepts the sessions of the others and a rotated secret ends them all.
 *
 * @example
 * const sessions = new PageSessions(clientSecret)
 * const token = sessions.issue({ memberId, admin: true, expiresAt: Date.now() + 600_000 })
 * sessions.verify(token) // → the session, or undefined when forged or expired
 */
export class PageSessions {
  readonly #key: Buffer

  constructor (secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'b24bi', 'b24bi app page session', 32))
  }

  /** Signs `session`. */
  issue (session: PageSession): string {
    const payload = Buffer.from(JSON.stringify({ m: session.memberId, a: session.admin, e: session.expiresAt })).toString('base64url')
    return `${VERSION}.${payload}.${this.#sign(payload)}`
  }

  /** The session `token` carries, or undefined when it is malformed, forged or expired. */
  verify (token: string, now = Date.now()): PageSession | undefined {
    const [version, payload, signature, ...rest] = token.split('.')
    if (version !== VERSION || payload === undefined || signature === undefined || rest.length > 0) return undefined
    const expected = Buffer.from(this.#sign(payload))
    const given = Buffer.from(signature)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    let parsed: { m?: unknown, a?: unknown, e?: unknown }
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed
    } catch {
      return undefined
    }
    if (typeof parsed.m !== 'string' || typeof parsed.a !== 'boolean' || typeof parsed.e !== 'number' || parsed.e <= now) return undefined
    return { memberId: parsed.m, admin: parsed.a, expiresAt: parsed.e }
  }

  #sign (payload: string): string {
    return createHmac('sha256', this.#key).update(`${VERSION}.${payload}`).digest('base64url')
  }
}
