import { ERR_CLIENT_GONE } from '../../core/errors.js'
import type { DataSummary } from '../../runtime/runtime.js'

/** One urlData answer that did not end well, as the app page lists it. */
export interface ActivityEntry {
  /** Epoch milliseconds when it ended. */
  at: number
  table: string
  kind: 'deadline' | 'disconnect' | 'error'
  /** The error code (`B24BI_ERR_…`). */
  code: string
  rows: number
  elapsedMs: number
  rowsPerSecond: number
  /** One line telling what to do about it. */
  hint: string
}

const HINTS: Record<ActivityEntry['kind'], string> = {
  deadline: 'Stopped at the deadline: add a filter or a limit, define a curated dataset, or use a faster source.',
  disconnect: 'The portal disconnected before the answer was complete (it stops a transfer at 60 s, or the user cancelled); the query was cancelled.',
  error: 'The answer broke off; the server log has the cause under this time and table.'
}

/**
 * The last `capacity` urlData answers that ended in a deadline stop, a portal disconnect or an error, fed by the
 * runtime's `onDataEnd` (the same summaries the metrics count), with counters since start.
 */
export class ActivityLog {
  readonly #capacity: number
  readonly #entries: ActivityEntry[] = []
  readonly startedAt = Date.now()
  /** urlData answers seen, and how many ended badly, by kind. */
  readonly counts = { answers: 0, deadline: 0, disconnect: 0, error: 0 }

  constructor (capacity = 100) {
    this.#capacity = capacity
  }

  /** Records one ended urlData answer (completed ones are only counted). */
  add (summary: DataSummary, now = Date.now()): void {
    this.counts.answers++
    if (summary.error === undefined && !summary.deadline) return
    const kind: ActivityEntry['kind'] = summary.deadline ? 'deadline' : summary.error?.code === ERR_CLIENT_GONE.code ? 'disconnect' : 'error'
    this.counts[kind]++
    const seconds = summary.elapsedMs / 1000
    this.#entries.push({
      at: now,
      table: summary.table,
      kind,
      code: summary.error?.code ?? 'B24BI_ERR_DEADLINE',
      rows: summary.rows,
      elapsedMs: Math.round(summary.elapsedMs),
      rowsPerSecond: seconds > 0 ? Math.round(summary.rows / seconds) : summary.rows,
      hint: kind === 'error' && summary.error !== undefined ? `${summary.error.message}. ${HINTS.error}` : HINTS[kind]
    })
    if (this.#entries.length > this.#capacity) this.#entries.shift()
  }

  /** The entries, newest first. */
  list (): ActivityEntry[] {
    return [...this.#entries].reverse()
  }
}
