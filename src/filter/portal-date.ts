import { isCalendarDate } from '../util/calendar-date.js'
import { ERR_CONFIG_INVALID, ERR_FILTER_DATE_AMBIGUOUS, ERR_FILTER_VALUE } from '../core/errors.js'

/**
 * The portal's site date format (Bitrix notation, as the portal's regional settings show it): one of
 * `DD.MM.YYYY`, `MM/DD/YYYY`, `DD/MM/YYYY`, `YYYY-MM-DD`, optionally followed by the time part,
 * `HH:MI:SS` (24-hour) or `H:MI:SS T` (12-hour with am/pm; `TT` for AM/PM), e.g. `MM/DD/YYYY H:MI:SS T`.
 */
export type PortalDateFormat = string

/** The date orders a site format can name. */
export const PORTAL_DATE_ORDERS = ['DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY', 'YYYY-MM-DD'] as const

/** What the filter reader needs from the setting: which of two numbers separated by `/` is the month. */
export interface PortalDateOrder {
  /** `MDY` for `MM/DD/YYYY`, `DMY` for `DD/MM/YYYY`; undefined when the format has no slashes (or is unset). */
  slash?: 'MDY' | 'DMY'
}

const TIME_PART = /^(?:HH:MI(?::SS)?|H{1,2}:MI(?::SS)? TT?)$/

/**
 * Validates the setting (config `portalDateFormat`, env `B24BI_PORTAL_DATE_FORMAT`) and returns what the
 * reader needs. A wrong value throws `B24BI_ERR_CONFIG_INVALID` naming `setting`.
 *
 * @example
 * readPortalDateFormat('MM/DD/YYYY H:MI:SS T') // { slash: 'MDY' }
 */
export function readPortalDateFormat (format: string | undefined, setting = 'portalDateFormat'): PortalDateOrder {
  if (format === undefined) return {}
  const text = format.trim()
  const space = text.indexOf(' ')
  const date = space < 0 ? text : text.slice(0, space)
  const time = space < 0 ? undefined : text.slice(space + 1).trim()
  if (!(PORTAL_DATE_ORDERS as readonly string[]).includes(date) || (time !== undefined && !TIME_PART.test(time))) {
    throw new ERR_CONFIG_INVALID(setting,
      `'${format}' is not a portal date format: use ${PORTAL_DATE_ORDERS.join(', ')}, optionally followed by HH:MI:SS (24-hour) or H:MI:SS T (12-hour am/pm)`)
  }
  if (date === 'MM/DD/YYYY') return { slash: 'MDY' }
  if (date === 'DD/MM/YYYY') return { slash: 'DMY' }
  return {}
}

/** A date and time read from a filter value: `YYYY-MM-DD`, `HH:MM:SS`, and the UTC offset in minutes when named. */
export interface DateTimeText {
  date: string
  time: string
  /** Minutes east of UTC when the input named an offset (`Z` is 0). */
  offset?: number
}

// Each pattern is linear: no nested or adjacent unbounded repetition.
const TIME = '(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?(?: ?([AaPp][Mm]))?'
const DOTTED = new RegExp(`^(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})(?:[ T]${TIME})?$`)
const SLASHED = new RegExp(`^(\\d{1,2})/(\\d{1,2})/(\\d{4})(?: ${TIME})?$`)
const ISO = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})(?:[ T]${TIME}(Z|[+-]\\d{2}:?\\d{2})?)?$`)

/**
 * Reads a filter's date or date-time text in any of the portal's site formats: ISO (`2025-05-31`,
 * `2025-05-31T17:01:55+02:00`), dotted day first (`31.05.2025 23:59:59`), slashed (`05/31/2025 11:59:59 pm`),
 * with a 24-hour or a 12-hour am/pm time. A slashed date whose order the numbers do not tell (both 12 or less,
 * and different) is read by `order`; without it the value is refused with `B24BI_ERR_FILTER_DATE_AMBIGUOUS`.
 */
export function readDateTimeText (key: string, text: string, order: PortalDateOrder = {}): DateTimeText {
  let year: string, month: string, day: string, match: RegExpExecArray | null
  if ((match = ISO.exec(text)) !== null) {
    [year, month, day] = [match[1]!, match[2]!, match[3]!]
  } else if ((match = DOTTED.exec(text)) !== null) {
    [day, month, year] = [match[1]!, match[2]!, match[3]!]
  } else if ((match = SLASHED.exec(text)) !== null) {
    year = match[3]!
    ;[month, day] = slashedOrder(key, text, match[1]!, match[2]!, order)
  } else {
    throw new ERR_FILTER_VALUE(key, `'${valuePreview(text)}' is not a date`)
  }
  const [y, m, d] = [Number(year), Number(month), Number(day)]
  if (!isCalendarDate(y, m, d)) throw new ERR_FILTER_VALUE(key, `${y}-${m}-${d} is not a calendar date`)
  const time = readTime(key, text, match[4], match[5], match[6], match[7], match[8])
  const parsed: DateTimeText = { date: `${year}-${pad(month)}-${pad(day)}`, time }
  const zone = match[9]
  if (zone !== undefined) parsed.offset = parseOffset(key, zone)
  return parsed
}

function slashedOrder (key: string, text: string, first: string, second: string, order: PortalDateOrder): [month: string, day: string] {
  const a = Number(first)
  const b = Number(second)
  if (a > 12 || b > 12 || a === b) return a > 12 ? [second, first] : [first, second]
  if (order.slash === 'MDY') return [first, second]
  if (order.slash === 'DMY') return [second, first]
  throw new ERR_FILTER_DATE_AMBIGUOUS(key, valuePreview(text))
}

function readTime (key: string, text: string, hour?: string, minute?: string, second?: string, fraction?: string, meridiem?: string): string {
  if (hour === undefined) return '00:00:00'
  let h = Number(hour)
  if (meridiem !== undefined) {
    if (h < 1 || h > 12) throw new ERR_FILTER_VALUE(key, `'${valuePreview(text)}' is not a 12-hour time of day`)
    const pm = meridiem.toLowerCase() === 'pm'
    h = (h % 12) + (pm ? 12 : 0)
  }
  if (h > 23 || Number(minute) > 59 || Number(second ?? '0') > 59) throw new ERR_FILTER_VALUE(key, `'${valuePreview(text)}' is not a time of day`)
  if (fraction !== undefined && /[1-9]/.test(fraction)) throw new ERR_FILTER_VALUE(key, 'fractions of a second are not supported')
  return `${pad(String(h))}:${minute!}:${second ?? '00'}`
}

function parseOffset (key: string, zone: string): number {
  if (zone === 'Z') return 0
  const hours = Number(zone.slice(1, 3))
  const minutes = Number(zone.slice(-2))
  if (hours > 18 || minutes > 59) throw new ERR_FILTER_VALUE(key, `'${zone}' is not a UTC offset`)
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
}

function pad (text: string): string {
  return text.length === 1 ? `0${text}` : text
}

/** The start of a filter value for an error message: at most 40 characters. */
export function valuePreview (text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text
}
