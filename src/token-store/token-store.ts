/**
 * What the application keeps per portal after `ONAPPINSTALL`: the OAuth pair and where to call.
 * Tokens are secrets: never log a `PortalTokens` whole (see `redactTokens`).
 */
export interface PortalTokens {
  /** The portal's stable id (`auth[member_id]`); the store key. */
  memberId: string
  /** The portal host as the portal names it, e.g. `example.bitrix24.com` (may hold a port). */
  domain: string
  /** Where REST methods are called, ending in `/rest/`, e.g. `https://example.bitrix24.com/rest/`. */
  restEndpoint: string
  /** The OAuth access token (about one hour). */
  accessToken: string
  /** The OAuth refresh token used to renew the pair. */
  refreshToken: string
  /** When the access token expires, epoch milliseconds; undefined when unknown. */
  expiresAt?: number
  /** The secret the portal puts in every event for this application (`auth[application_token]`). */
  applicationToken?: string
  /** The id of the connector registered on this portal, once known. */
  connectorId?: number
}

/**
 * Where tokens live: one small contract every backend satisfies (file, PostgreSQL, Redis, memory).
 * Several replicas of a connector must share one store, so use PostgreSQL or Redis when running more than one.
 */
export interface TokenStore {
  /** The tokens stored for `memberId`, or undefined. */
  get: (memberId: string) => Promise<PortalTokens | undefined>
  /** Stores (replaces) the tokens of `tokens.memberId`. */
  set: (tokens: PortalTokens) => Promise<void>
  /** Forgets `memberId`; no error when nothing is stored. */
  delete: (memberId: string) => Promise<void>
  /** The member ids stored, in no particular order. */
  list: () => Promise<string[]>
}

/** A copy of `tokens` safe for logs and CLI output: secrets replaced by `***`. */
export function redactTokens (tokens: PortalTokens): Record<string, unknown> {
  return {
    ...tokens,
    accessToken: '***',
    refreshToken: '***',
    ...(tokens.applicationToken === undefined ? {} : { applicationToken: '***' })
  }
}

/** Parses a stored JSON record back into `PortalTokens`, or undefined when it is not one. */
export function parsePortalTokens (value: unknown): PortalTokens | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  for (const key of ['memberId', 'domain', 'restEndpoint', 'accessToken', 'refreshToken']) {
    if (typeof record[key] !== 'string') return undefined
  }
  return record as unknown as PortalTokens
}
