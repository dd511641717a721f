import { ERR_CONFIG_INVALID } from './errors.js'

const QUARTER_HOUR = 15 * 60 * 1000
const DAY = 24 * 60 * 60 * 1000

/**
 * Converts between instants and wall times in one IANA zone. Offsets are cached per quarter hour,
 * since every zone in the tz database changes offset only on quarter-hour boundaries.
 */
export class TimeZone {
  readonly name: string
  readonly #format: Intl.DateTimeFormat | undefined
  readonly #offsets = new Map<number, number>()

  constructor (name: string) {
    this.name = name
    if (name === 'UTC') return
    try {
      this.#format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit'
      })
    } catch (error) {
      throw new ERR_CONFIG_INVALID('timeZone', `'${name}' is not an IANA time zone`, { cause: error })
    }
  }

  /** The zone's offset from UTC at `ms`, in milliseconds (Berlin in summer: 7_200_000). */
  offset (ms: number): number {
    if (this.#format === undefined) return 0
    const key = Math.floor(ms / QUARTER_HOUR)
    let offset = this.#offsets.get(key)
    if (offset === undefined) {
      offset = this.#computeOffset(key * QUARTER_HOUR)
      if (this.#offsets.size > 100_000) this.#offsets.clear()
      this.#offsets.set(key, offset)
    }
    return offset
  }

  #computeOffset (ms: number): number {
    const parts: Record<string, number> = {}
    for (const part of this.#format!.formatToParts(new Date(ms))) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value)
    }
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
    return wall - Math.floor(ms / 1000) * 1000
  }

  /** The wall time of an instant in this zone: `YYYY-MM-DD HH:MM:SS`. */
  wallTime (instant: Date | number): string {
    const ms = typeof instant === 'number' ? instant : instant.getTime()
    const iso = new Date(ms + this.offset(ms)).toISOString()
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
  }

  /** ISO 8601 with this zone's offset: `2026-10-25T02:30:00+01:00`. */
  isoTime (instant: Date | number): string {
    const ms = typeof instant === 'number' ? instant : instant.getTime()
    const offset = this.offset(ms)
    const iso = new Date(ms + offset).toISOString().slice(0, 19)
    if (offset === 0) return `${iso}Z`
    const minutes = Math.abs(offset) / 60000
    const sign = offset < 0 ? '-' : '+'
    return `${iso}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
  }

  /**
   * The instant a wall time (`YYYY-MM-DD HH:MM:SS`, already validated) means in this zone.
   * A wall time that occurs twice (DST overlap) is the earlier instant; one that does not exist
   * (DST gap) is read with the offset before the gap, i.e. it moves forward by the gap's length.
   */
  instant (wall: string): Date {
    const asUtc = Date.UTC(
      Number(wall.slice(0, 4)), Number(wall.slice(5, 7)) - 1, Number(wall.slice(8, 10)),
      Number(wall.slice(11, 13)), Number(wall.slice(14, 16)), Number(wall.slice(17, 19))
    )
    if (this.#format === undefined) return new Date(asUtc)
    const before = asUtc - this.offset(asUtc - DAY)
    const after = asUtc - this.offset(asUtc + DAY)
    const candidates = [before, after].filter((ms) => ms + this.offset(ms) === asUtc)
    if (candidates.length === 0) return new Date(before)
    return new Date(Math.min(...candidates))
  }
}
