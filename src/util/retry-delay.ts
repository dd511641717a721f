/** How long retries wait: the first back-off and the longest wait, in milliseconds. */
export interface BackoffPolicy {
  /** The first back-off, doubled on each retry. */
  baseMs: number
  /** The longest wait, also the longest `Retry-After` honoured. */
  maxMs: number
}

/**
 * Milliseconds to wait before retry `attempt + 1` (`attempt` counts from 0). The one back-off of the REST client
 * and the HTTP adapter: exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half of the step fixed,
 * half random), so the waits of one caller keep growing while many callers spread out. A server's `Retry-After`
 * (`retryAfterMs`) wins, capped at `maxMs`.
 *
 * @example
 * retryDelayMs(2, { baseMs: 500, maxMs: 10_000 }) // between 1000 and 2000
 * retryDelayMs(0, { baseMs: 500, maxMs: 10_000 }, 3000) // 3000
 */
export function retryDelayMs (attempt: number, policy: BackoffPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxMs)
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt)
  return Math.round(step / 2 + random() * step / 2)
}
