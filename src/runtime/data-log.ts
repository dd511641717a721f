import { ERR_CLIENT_GONE } from '../core/errors.js'
import type { DataSummary } from './runtime.js'

/**
 * Seconds the portal gives the body of an answer (the vendor's connector docs: "a separate, shorter limit of 60 s
 * for transferring the response body"). Whether it counts from the request or from the first byte is not stated:
 * b24bi plans for the whole answer.
 */
export const PORTAL_TRANSFER_LIMIT_S = 60
/** From this elapsed time on, a closed connection is most likely the portal's transfer limit. */
export const NEAR_TRANSFER_LIMIT_S = 50

/** The facts every urlData log line carries. */
export interface DataLogFacts {
  table: string
  rows: number
  bytes: number
  elapsedS: number
  rowsPerSecond: number
}

/** One log line: its level, its structured facts and its message. */
export interface DataLogLine {
  level: 'info' | 'warn' | 'error'
  facts: DataLogFacts & { err?: Error }
  message: string
}

const WHAT_TO_DO = 'add a filter (a date range) or a limit, serve a smaller table (a view or a curated dataset), or use a faster source'

/**
 * The one log line of an urlData answer that ended: answered (info; a warning past `maxAnswerBytes`, since the
 * portal keeps the whole answer in memory as one string), stopped at the deadline, closed by the client (an error:
 * the portal lost the rows; near 60 s the transfer limit is named as the likely cause) or failed.
 *
 * @example
 * const line = dataLogLine(summary, 256 * 1024 * 1024)
 * log[line.level](line.facts, line.message)
 */
export function dataLogLine (summary: DataSummary, maxAnswerBytes: number): DataLogLine {
  const seconds = summary.elapsedMs / 1000
  const rowsPerSecond = seconds > 0 ? Math.round(summary.rows / seconds) : summary.rows
  const facts: DataLogFacts = { table: summary.table, rows: summary.rows, bytes: summary.bytes, elapsedS: Number(seconds.toFixed(3)), rowsPerSecond }
  const sent = `${summary.rows} rows, ${summary.bytes} bytes in ${seconds.toFixed(1)} s (${rowsPerSecond} rows/s)`
  if (summary.deadline) {
    return {
      level: 'error',
      facts,
      message: `urlData for '${summary.table}' stopped at the deadline after ${sent}; ` +
        `the portal stops a transfer after ${PORTAL_TRANSFER_LIMIT_S} s: ${WHAT_TO_DO}.`
    }
  }
  if (summary.error?.code === ERR_CLIENT_GONE.code) {
    const likely = seconds >= NEAR_TRANSFER_LIMIT_S
      ? `; the portal's ${PORTAL_TRANSFER_LIMIT_S} s transfer limit is the likely cause: ${WHAT_TO_DO}`
      : ''
    return { level: 'error', facts, message: `the client closed the connection during urlData for '${summary.table}' after ${sent}; query cancelled${likely}` }
  }
  if (summary.error !== undefined) {
    return { level: 'error', facts: { ...facts, err: summary.error }, message: `urlData for '${summary.table}' failed after ${sent}` }
  }
  if (summary.bytes > maxAnswerBytes) {
    return {
      level: 'warn',
      facts,
      message: `urlData for '${summary.table}' answered ${summary.bytes} bytes, more than maxAnswerMegabytes ` +
        `(${maxAnswerBytes / (1024 * 1024)}); the portal keeps the whole answer in memory as one string: ${WHAT_TO_DO}`
    }
  }
  return { level: 'info', facts, message: 'urlData answered' }
}
