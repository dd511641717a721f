import { ERR_CLI_USAGE } from '../../errors.js'

/**
 * Bitrix's date format tokens (`CDatabase::DateFormatToPHP`), longest first: `YYYY` year, `MM` month, `DD` day,
 * `HH` 24-hour, `GG` 24-hour without a leading zero, `H` 12-hour, `G` 12-hour without a leading zero, `MI`
 * minutes, `SS` seconds, `TT` AM/PM, `T` am/pm.
 */
const TOKENS = ['YYYY', 'MM', 'DD', 'HH', 'GG', 'MI', 'SS', 'TT', 'H', 'G', 'T'] as const
const TOKEN = new RegExp(TOKENS.join('|'), 'g')

/** The portal's date formats as its `ConvertTimeStamp` writes them: `SHORT` (a day) and `FULL` (a day and a time). */
export interface PortalDateFormat {
  /** The site's `FORMAT_DATETIME`, e.g. `DD.MM.YYYY HH:MI:SS` (ru, de) or `MM/DD/YYYY H:MI:SS T` (en). */
  full: string
  /** Its date part, e.g. `DD.MM.YYYY`. */
  short: string
}

/** The default: the dotted format of ru and de portals, which every connector reads without a setting. */
export const DEFAULT_PORTAL_DATE_FORMAT = 'DD.MM.YYYY HH:MI:SS'

/** Reads a `FORMAT_DATETIME` string; a format without a year, month and day, or without hours, is a usage error. */
export function portalDateFormat (full: string): PortalDateFormat {
  const tokens: string[] = full.match(TOKEN) ?? []
  const has = (...names: string[]): boolean => names.some((name) => tokens.includes(name))
  if (!has('YYYY') || !has('MM') || !has('DD') || !has('HH', 'GG', 'H', 'G') || !has('MI')) {
    throw new ERR_CLI_USAGE(`--portal-date-format '${full}' is not a portal datetime format such as 'DD.MM.YYYY HH:MI:SS' or 'MM/DD/YYYY H:MI:SS T'`)
  }
  const firstTime = full.search(/HH|GG|H|G/)
  return { full, short: full.slice(0, firstTime).trim() }
}

const pad = (value: number): string => String(value).padStart(2, '0')

/** Writes a wall time (`Y-m-d` and `H:i:s` parts) in a portal format. */
export function writePortalDate (format: string, day: string, time = '00:00:00'): string {
  const [year, month, date] = day.split('-')
  const [hours = 0, minutes = 0, seconds = 0] = time.split(':').map(Number)
  const twelve = hours % 12 === 0 ? 12 : hours % 12
  const values: Record<typeof TOKENS[number], string> = {
    YYYY: year ?? '',
    MM: month ?? '',
    DD: date ?? '',
    HH: pad(hours),
    GG: String(hours),
    H: pad(twelve),
    G: String(twelve),
    MI: pad(minutes),
    SS: pad(seconds),
    TT: hours < 12 ? 'AM' : 'PM',
    T: hours < 12 ? 'am' : 'pm'
  }
  return format.replace(TOKEN, (token) => values[token as typeof TOKENS[number]])
}
