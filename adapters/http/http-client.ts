import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { ERR_AUTH_REJECTED, ERR_SOURCE_FAILED, ERR_SOURCE_UNAVAILABLE } from '../../src/core/errors.js'
import type { Logger } from '../../src/core/adapter.js'
import { retryDelayMs } from '../../src/adapter-kit/index.js'

/** One API request. */
export interface ApiRequest {
  url: URL
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  signal: AbortSignal
  log: Logger
}

/** An API answer read whole (one page). */
export interface ApiResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** How the client behaves. */
export interface ApiClientOptions {
  concurrency: number
  retries: number
  retryBaseMs: number
  retryMaxMs: number
  timeoutMs: number
}

const RETRY_STATUS = (status: number): boolean => status === 429 || status === 408 || status >= 500

/** Seconds or an HTTP date, as milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs (header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+(?:\.\d+)?$/.test(value.trim())) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * The adapter's HTTP client on undici: at most `concurrency` requests in flight (shared by every read),
 * retries on 429, 408, 5xx and network errors with the shared back-off (`retryDelayMs`), honouring
 * `Retry-After` up to `retryMaxMs`. 401 and 403 become `ERR_AUTH_REJECTED`; other 4xx `ERR_SOURCE_FAILED`.
 * Messages never hold the URL (it may carry a key); the status is logged.
 */
export class ApiClient {
  readonly #options: ApiClientOptions
  readonly #agent: Agent
  #active = 0
  readonly #waiting: Array<() => void> = []

  constructor (options: ApiClientOptions) {
    this.#options = options
    this.#agent = new Agent({ connections: options.concurrency, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs })
  }

  async #acquire (signal: AbortSignal): Promise<void> {
    if (this.#active < this.#options.concurrency) {
      this.#active++
      return
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(go)
        if (index >= 0) this.#waiting.splice(index, 1)
        reject(signal.reason)
      }
      const go = (): void => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      this.#waiting.push(go)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  #release (): void {
    const next = this.#waiting.shift()
    if (next !== undefined) next()
    else this.#active--
  }

  async #once (call: ApiRequest): Promise<ApiResponse> {
    await this.#acquire(call.signal)
    try {
      const response = await request(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal: call.signal,
        dispatcher: this.#agent
      })
      const text = await response.body.text()
      return { status: response.statusCode, headers: response.headers, text }
    } finally {
      this.#release()
    }
  }

  /** Sends a request, retrying as described; resolves with a 2xx answer or throws a coded error. */
  async send (call: ApiRequest): Promise<ApiResponse> {
    for (let attempt = 0; ; attempt++) {
      let response: ApiResponse | undefined
      let failure: unknown
      try {
        response = await this.#once(call)
      } catch (error) {
        if (call.signal.aborted) throw call.signal.reason
        failure = error
      }
      if (response !== undefined && response.status < 300) return response
      if (response !== undefined && (response.status === 401 || response.status === 403)) throw new ERR_AUTH_REJECTED()
      if (response !== undefined && !RETRY_STATUS(response.status)) {
        throw new ERR_SOURCE_FAILED({ cause: new Error(`the API answered ${response.status}`) })
      }
      if (attempt >= this.#options.retries) {
        throw new ERR_SOURCE_UNAVAILABLE({ cause: failure ?? new Error(`the API answered ${response!.status} ${attempt + 1} times`) })
      }
      const wait = retryDelayMs(attempt, { baseMs: this.#options.retryBaseMs, maxMs: this.#options.retryMaxMs }, retryAfterMs(response?.headers['retry-after']))
      call.log.debug({ status: response?.status, attempt: attempt + 1, waitMs: wait }, 'API request retried')
      await sleep(wait, undefined, { signal: call.signal })
    }
  }

  async close (): Promise<void> {
    await this.#agent.close()
  }
}
