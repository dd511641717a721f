import { Readable } from 'node:stream'
import type { EncodedRows } from '../core/text-rows.js'
import { type B24biError, ERR_CLIENT_GONE, ERR_CLIENT_STALLED, ERR_DEADLINE, toB24biError, ERR_SOURCE_FAILED } from '../core/errors.js'

/** What the data stream reports when it ends, for logs and metrics. */
export interface DataStreamSummary {
  rows: number
  bytes: number
  elapsedMs: number
  /** Undefined when the answer completed. */
  error?: B24biError
  /** True when the deadline stopped it. */
  deadline: boolean
}

/** The inputs of a data answer. */
export interface DataStreamOptions {
  header: readonly string[]
  /** The rows, already written (`,[value,...]` each). Its `return()` is called when the stream stops early. */
  chunks: AsyncIterator<EncodedRows>
  /** Milliseconds since the request started when the answer must be complete. Infinity for none. */
  deadlineMs: number
  /** When the request started (performance.now()). */
  startedAt: number
  /**
   * Milliseconds the consumer may read nothing while an answer waits on it; then the answer is cut
   * (`B24BI_ERR_CLIENT_STALLED`) and the source aborted. Infinity for none.
   */
  stallMs?: number
  /** Aborts the source (query cancel). */
  abort: (reason: B24biError) => void
  /** Called exactly once, when the stream ends, fails or is destroyed. */
  onEnd: (summary: DataStreamSummary) => void
}

const CHUNK_BYTES = 64 * 1024

/**
 * The urlData answer as a byte stream: `[[header],[row],...]`, produced batch by batch as the consumer
 * reads (backpressure), so memory stays flat whatever the table size. Any failure after the first byte
 * destroys the stream, so the portal sees a broken response, never a truncated but valid-looking array.
 * Call `start()` before sending: it reads the first batch, so errors that happen before any row
 * (unknown field, source down) still become a clean coded JSON error.
 */
export class DataStream extends Readable {
  readonly #options: DataStreamOptions
  // What waits to be pushed: text and bytes in answer order, and about how many bytes they hold.
  #pending: Array<string | Uint8Array>
  #pendingSize: number
  #rows = 0
  #bytes = 0
  #reading = false
  #finished = false
  #started = false
  #ahead: Promise<IteratorResult<EncodedRows>> | undefined
  #deadline: NodeJS.Timeout | undefined
  #stall: NodeJS.Timeout | undefined
  // Rejected when the deadline passes before `start()` is done, so it never waits on a source that ignores abort.
  #early: { promise: Promise<never>, reject: (error: B24biError) => void } | undefined

  constructor (options: DataStreamOptions) {
    super({ highWaterMark: CHUNK_BYTES })
    this.#options = options
    const header = '[' + JSON.stringify(options.header)
    this.#pending = [header]
    this.#pendingSize = header.length
  }

  /** Reads the first batch; throws a coded error if the source fails before any row. */
  async start (): Promise<void> {
    const remaining = this.#options.deadlineMs - (performance.now() - this.#options.startedAt)
    if (Number.isFinite(remaining)) {
      this.#deadline = setTimeout(() => this.#onDeadline(), Math.max(0, remaining))
      this.#deadline.unref()
    }
    const { promise, reject } = Promise.withResolvers<never>()
    promise.catch(() => {})
    this.#early = { promise, reject }
    try {
      const first = await Promise.race([this.#options.chunks.next(), promise])
      this.#take(first)
      this.#started = true
    } catch (error) {
      const coded = toB24biError(error, ERR_SOURCE_FAILED)
      this.#finish(coded)
      this.destroy() // quietly: nothing listens for 'error' before the answer is sent; the caller answers `coded`
      throw coded
    }
  }

  #take (result: IteratorResult<EncodedRows>): boolean {
    if (result.done === true) {
      this.#append(']')
      this.#finished = true
      return false
    }
    this.#rows += result.value.rows
    this.#append(result.value.bytes)
    return true
  }

  #append (part: string | Uint8Array): void {
    this.#pending.push(part)
    this.#pendingSize += part.length
  }

  #flush (): boolean {
    const parts = this.#pending
    if (this.#pendingSize === 0) return true
    this.#pending = []
    this.#pendingSize = 0
    const chunk = parts.length === 1
      ? parts[0]!
      : parts.every((part) => typeof part === 'string')
        ? parts.join('')
        : Buffer.concat(parts.map((part) => typeof part === 'string' ? Buffer.from(part) : part))
    this.#bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    return this.push(chunk)
  }

  override _read (): void {
    clearTimeout(this.#stall)
    this.#stall = undefined
    if (this.#reading) return
    this.#reading = true
    this.#pump().catch((error: unknown) => this.destroy(toB24biError(error, ERR_SOURCE_FAILED)))
  }

  #prefetch (): void {
    const ahead = this.#options.chunks.next()
    ahead.catch(() => {}) // a failure surfaces when the batch is awaited
    this.#ahead = ahead
  }

  async #nextBatch (): Promise<IteratorResult<EncodedRows>> {
    const ahead = this.#ahead
    this.#ahead = undefined
    return await (ahead ?? this.#options.chunks.next())
  }

  async #pump (): Promise<void> {
    while (true) {
      if (this.#finished) {
        this.#flush()
        this.#finish()
        this.push(null)
        return
      }
      if (this.#pendingSize >= CHUNK_BYTES && !this.#flush()) {
        this.#waitForConsumer()
        return
      }
      const next = await this.#nextBatch()
      if (this.destroyed) return
      // Ask for the chunk after this one before sending it, so the source's round trip overlaps our work.
      if (next.done !== true) this.#prefetch()
      if (!this.#take(next) || this.#pendingSize >= CHUNK_BYTES) {
        if (!this.#flush() && !this.#finished) {
          this.#waitForConsumer()
          return
        }
      }
    }
  }

  // The buffer is full: the next `_read` comes when the consumer takes some. If it takes nothing for `stallMs`
  // (a client that never reads holds a source connection and a slot), the answer is cut and the source aborted.
  #waitForConsumer (): void {
    this.#reading = false
    const stallMs = this.#options.stallMs ?? Infinity
    if (!Number.isFinite(stallMs) || this.#stall !== undefined) return
    this.#stall = setTimeout(() => this.#onStall(stallMs), stallMs)
    this.#stall.unref()
  }

  #onStall (stallMs: number): void {
    this.#stall = undefined
    if (this.destroyed || this.#summaryDone) return
    this.destroy(new ERR_CLIENT_STALLED(String(stallMs / 1000)))
  }

  #onDeadline (): void {
    if (this.#finished && this.#pendingSize === 0) return
    const error = new ERR_DEADLINE((this.#options.deadlineMs / 1000).toString())
    this.#summary(error, true)
    // Before the first byte the deadline is a clean coded answer from start(); destroying with an error
    // here would emit 'error' on a stream nobody listens to yet, and crash the process.
    if (!this.#started) this.#early?.reject(error)
    else this.destroy(error)
  }

  #summaryDone = false
  #summary (error: B24biError | undefined, deadline: boolean): void {
    if (this.#summaryDone) return
    this.#summaryDone = true
    clearTimeout(this.#deadline)
    clearTimeout(this.#stall)
    if (error !== undefined) this.#options.abort(error)
    this.#options.onEnd({
      rows: this.#rows,
      bytes: this.#bytes,
      elapsedMs: performance.now() - this.#options.startedAt,
      error,
      deadline
    })
  }

  #finish (error?: B24biError): void {
    this.#summary(error, false)
  }

  override _destroy (error: Error | null, callback: (error?: Error | null) => void): void {
    const coded = error === null
      ? (this.#summaryDone ? undefined : new ERR_CLIENT_GONE())
      : toB24biError(error, ERR_SOURCE_FAILED)
    if (coded !== undefined) this.#summary(coded, false)
    // Closing the source is not awaited: an adapter that ignores its abort signal must not hold the response open.
    Promise.resolve(this.#options.chunks.return?.()).catch(() => {})
    callback(error)
  }
}
