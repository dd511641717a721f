/** A `_` in a compiled pattern: any one code point. */
const ONE = -1

/** The part of a LIKE pattern between two `%`: code points, `ONE` for `_`, and the literal text when it has no `_`. */
interface Segment {
  points: number[]
  /** The segment as text when it holds no `_` (then found with `indexOf`). */
  literal: string | undefined
}

/**
 * Compiles an SQL LIKE pattern (`%` any run, `_` one character, `\` escapes the next character; case-sensitive;
 * characters are code points, as SQL engines count them in UTF-8) into a matcher that never backtracks more than
 * one segment: the pattern is cut at its `%`s, the first segment must match at the start, the last at the end,
 * and each one between is found at its leftmost place after the previous one (the leftmost place is always the
 * best one). A row costs O(text length × longest segment) at worst and about the text length in practice, whatever
 * the pattern: no regular expression is built from the input (`%%%%%%%%!` or `%_%_%_%_%_%_%_!` cost a scan).
 *
 * @example
 * const match = likeMatcher('ab%c_')
 * match('abXYcZ') // true
 */
export function likeMatcher (pattern: string): (text: string) => boolean {
  const segments = splitPattern(pattern)
  if (segments.length === 1) {
    const only = segments[0]!
    if (only.literal !== undefined) return (text) => text === only.literal
    return (text) => matchAt(only.points, text, 0) === text.length
  }
  const first = segments[0]!
  const last = segments[segments.length - 1]!
  const middle = segments.slice(1, -1)
  return (text) => {
    const from = matchAt(first.points, text, 0)
    if (from < 0) return false
    const lastStart = startOfLast(last.points.length, text)
    if (lastStart < from || matchAt(last.points, text, lastStart) !== text.length) return false
    let position = from
    for (const segment of middle) {
      position = findSegment(segment, text, position, lastStart)
      if (position < 0) return false
    }
    return true
  }
}

/** The pattern's segments between `%`s: always one more than the runs of `%` (so the first and last may be empty). */
function splitPattern (pattern: string): Segment[] {
  const segments: Segment[] = []
  let points: number[] = []
  let literal = ''
  let plain = true
  const close = (): void => {
    segments.push({ points, literal: plain ? literal : undefined })
    points = []
    literal = ''
    plain = true
  }
  let previousRun = false
  for (let index = 0; index < pattern.length;) {
    let point = pattern.codePointAt(index)!
    index += point > 0xffff ? 2 : 1
    const escaped = point === 0x5c && index < pattern.length
    if (escaped) {
      point = pattern.codePointAt(index)!
      index += point > 0xffff ? 2 : 1
    }
    if (!escaped && point === 0x25) { // %
      if (!previousRun) close()
      previousRun = true
      continue
    }
    previousRun = false
    if (!escaped && point === 0x5f) { // _
      points.push(ONE)
      plain = false
    } else {
      points.push(point)
      literal += String.fromCodePoint(point)
    }
  }
  close()
  return segments
}

/** Matches `points` at `start`: the index after the match, or -1. */
function matchAt (points: readonly number[], text: string, start: number): number {
  let index = start
  for (const point of points) {
    if (index >= text.length) return -1
    const actual = text.codePointAt(index)!
    if (point !== ONE && point !== actual) return -1
    index += actual > 0xffff ? 2 : 1
  }
  return index
}

/** Where the last segment must start so that it ends with the text (it counts `count` code points), or -1. */
function startOfLast (count: number, text: string): number {
  let index = text.length
  for (let left = count; left > 0; left--) {
    if (index <= 0) return -1
    const low = text.charCodeAt(index - 1)
    index -= low >= 0xdc00 && low <= 0xdfff && index >= 2 && isHighSurrogate(text.charCodeAt(index - 2)) ? 2 : 1
  }
  return index
}

function isHighSurrogate (unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff
}

/** The leftmost match of a middle segment in `text[from, limit)`: the index after it, or -1. */
function findSegment (segment: Segment, text: string, from: number, limit: number): number {
  if (segment.literal !== undefined) {
    const found = text.indexOf(segment.literal, from)
    return found < 0 || found + segment.literal.length > limit ? -1 : found + segment.literal.length
  }
  for (let start = from; start < limit;) {
    const end = matchAt(segment.points, text, start)
    if (end > limit) return -1 // a later start ends later still
    if (end >= 0) return end
    start += text.codePointAt(start)! > 0xffff ? 2 : 1
  }
  return -1
}
