import type { FastifyReply } from 'fastify'

/** The route config that marks a page opened by an admin's browser inside the portal (see the guard). */
export const PAGE_ROUTE_CONFIG = Object.freeze({ b24biPage: true as const })

/**
 * The page's Content-Security-Policy: only the portal at `portalOrigin` may frame it, and it runs only its own
 * scripts and styles (no inline code, no CDN).
 */
export function pagePolicy (portalOrigin: string): string {
  return [
    `frame-ancestors ${portalOrigin}`,
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'"
  ].join('; ')
}

/**
 * Makes this answer framable by `portalOrigin` only: drops helmet's `X-Frame-Options` (set on the raw response
 * when the request came in) and sends `frame-ancestors`. Every other route keeps refusing frames.
 */
export function framableBy (reply: FastifyReply, portalOrigin: string): FastifyReply {
  reply.raw.removeHeader('x-frame-options')
  return reply
    .header('content-security-policy', pagePolicy(portalOrigin))
    .header('cache-control', 'no-store')
}

/** The portal's origin from its stored REST endpoint (`https://example.bitrix24.com/rest/` → `https://example.bitrix24.com`). */
export function portalOrigin (restEndpoint: string): string {
  return new URL(restEndpoint).origin
}
