import { ERR_CLI_USAGE } from '../core/errors.js'
import { readPortalDateFormat } from '../filter/portal-date.js'

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

/**
 * Reads the portal's format as the server's `portalDateFormat` setting names it (`DD.MM.YYYY`, `MM/DD/YYYY H:MI:SS T`,
 * ...); without a time part the FULL format takes `HH:MI:SS`. A wrong one is a usage error.
 */
export function portalDateFormat (format: string): PortalDateFormat {
  try {
    readPortalDateFormat(format, '--portal-date-format')
  } catch (error) {
    throw new ERR_CLI_USAGE((error as Error).message)
  }
  const text = format.trim()
  const space = text.indexOf(' ')
  return space < 0 ? { full: `${text} HH:MI:SS`, short: text } : { full: text, short: text.slice(0, space) }
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
