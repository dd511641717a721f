import { isCalendarDate } from '../util/calendar-date.js'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const WALL = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/

/** True for a `date` answer value the portal reads: `Y-m-d`, a real calendar day. */
export function isAnswerDate (text: string): boolean {
  const match = DATE.exec(text)
  return match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))
}

/**
 * True for a `datetime` answer value: `Y-m-d H:i:s`, or with `iso` ISO 8601 (`T`, optional fraction, and an offset
 * for instants; naive values carry none), a real calendar day and time.
 */
export function isAnswerDateTime (text: string, iso: boolean): boolean {
  const match = (iso ? ISO : WALL).exec(text)
  return match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) &&
    Number(match[4]) < 24 && Number(match[5]) < 60 && Number(match[6]) < 60
}

const OFFSET = /^[+-](?:0\d|1[0-4]):?[0-5]\d$/

/**
 * True when `value` is a time zone identifier, the value of a `timezone` field: an IANA name (`Europe/Berlin`,
 * `UTC`) or a UTC offset (`+03:00`, `-0530`).
 */
export function isAnswerTimeZone (value: string): boolean {
  if (OFFSET.test(value)) return true
  if (value === '' || value.length > 64) return false
  try {
    void new Intl.DateTimeFormat('en-US', { timeZone: value })
    return true
  } catch {
    return false
  }
}
