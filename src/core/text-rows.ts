import { isUtf8 } from 'node:buffer'
import { ERR_SOURCE_FAILED } from './errors.js'
import type { FieldInfo } from './field-types.js'
import type { DateTimeFormat, ValueFormatter } from './value-format.js'
import type { TimeZone } from './time-zone.js'

/** Answer rows already written: `rows` rows, each `,[value,...]` (a comma first: they follow the header). */
export interface EncodedRows {
  bytes: string | Uint8Array
  rows: number
}

/** How the answer writes each column: what the runtime's formatters would write, value for value. */
export interface TextRowsColumns {
  /** The answer's fields, in column order. */
  fields: readonly FieldInfo[]
  /** Each field's formatter (the runtime's): every value the encoder does not write byte for byte goes through it. */
  formatters: readonly ValueFormatter[]
  timeZone: TimeZone
  datetimeFormat: DateTimeFormat
  /** Columns whose naive datetimes are UTC wall times: read as instants, as if they ended in `Z`. Default none. */
  utcColumns?: ReadonlySet<number>
  /**
   * Numeric columns the row path gets as JS numbers while the text spells them the source's way (`1e+20`, `0.0`,
   * `nan`): a value with a fraction, an exponent or a non-finite spelling is read as the JS number it spells and
   * written by the field's formatter; integer digits are copied. Default none.
   */
  jsNumbers?: ReadonlySet<number>
}

const TAB = 9
const NEWLINE = 10
const BACKSLASH = 92
const QUOTE = 34
const COMMA = 44
const MINUS = 45
const DOT = 46
const ZERO = 48
const NINE = 57
const HEX = '0123456789abcdef'

/** 1 for the bytes a text cell copies as they are: not a control byte, a quote or a backslash. */
const PLAIN = new Uint8Array(256).map((_, byte) => byte >= 32 && byte !== QUOTE && byte !== BACKSLASH ? 1 : 0)

const enum Kind { Integer, Number, JsNumber, Text, Date, DateTime, UtcDateTime, Other }

/** The byte a backslash sequence of the text form stands for (`\n`, `\t`, `\\`, ...): any other escaped byte is itself. */
function unescaped (byte: number): number {
  switch (byte) {
    case 98: return 8 // \b
    case 102: return 12 // \f
    case 110: return 10 // \n
    case 114: return 13 // \r
    case 116: return 9 // \t
    case 118: return 11 // \v
    case 48: return 0 // \0 (ClickHouse)
    default: return byte
  }
}

/**
 * Turns rows in the tab-separated text form of PostgreSQL's `COPY ... TO STDOUT` (and ClickHouse's
 * `TabSeparated`) into answer rows, without a JS value per cell where the bytes already are the answer: digits,
 * text (re-escaped for JSON byte by byte), dates and UTC datetimes. Every other value (NaN, a zone to convert,
 * a spelling the fast check does not know) is decoded and written by the runtime's own formatter, so the bytes
 * are the same as the row path's. The text form: columns split by a tab, rows ended by a newline, `\N` for
 * NULL, and a backslash before a tab, newline, carriage return, backslash, or `b f v 0` for those control bytes.
 */
export class TextRowsEncoder {
  readonly #kinds: Kind[]
  readonly #formatters: readonly ValueFormatter[]
  readonly #utc: ReadonlySet<number>
  readonly #iso: boolean
  readonly #utcZone: boolean
  #carry: Buffer | undefined
  #rows = 0
  #out = Buffer.alloc(0)
  #at = 0

  constructor (columns: TextRowsColumns) {
    this.#formatters = columns.formatters
    this.#utc = columns.utcColumns ?? new Set()
    this.#iso = columns.datetimeFormat === 'iso'
    this.#utcZone = columns.timeZone.name === 'UTC'
    this.#kinds = columns.fields.map((field, index) => {
      // A UTC wall time is read as an instant whatever the field's type (the row path marks it with a `Z`).
      if (this.#utc.has(index)) return field.type === 'datetime' ? Kind.UtcDateTime : Kind.Other
      if (columns.jsNumbers?.has(index) === true) return Kind.JsNumber
      switch (field.type) {
        case 'int': return Kind.Integer
        case 'double':
        case 'money': return Kind.Number
        case 'date': return Kind.Date
        case 'datetime': return Kind.DateTime
        default: return Kind.Text
      }
    })
  }

  /** Rows encoded so far. */
  get rows (): number {
    return this.#rows
  }

  /**
   * Encodes the complete rows of `chunk` (with what the last chunk left of an unfinished row); undefined when
   * it completes none. Throws `B24BI_ERR_VALUE_INVALID` for a value that is not of its field's type.
   */
  push (chunk: Uint8Array): EncodedRows | undefined {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const before = this.#rows
    // Each answer gets a buffer of its own (handed over, not copied), about the size of what it encodes.
    this.#out = Buffer.allocUnsafe(Math.max(1024, Math.ceil(input.length * 1.25) + (this.#carry?.length ?? 0) * 6 + 64))
    this.#at = 0
    let position = 0
    if (this.#carry !== undefined) {
      // The row the last chunk began: joined with its end alone, not the whole chunk.
      const newline = input.indexOf(NEWLINE)
      if (newline < 0) {
        this.#carry = Buffer.concat([this.#carry, input])
        return undefined
      }
      const joined = wellFormed(Buffer.concat([this.#carry, input.subarray(0, newline + 1)]))
      this.#carry = undefined
      this.#row(joined, 0)
      position = newline + 1
    }
    const end = input.lastIndexOf(NEWLINE)
    if (end < input.length - 1) this.#carry = Buffer.from(input.subarray(Math.max(position, end + 1)))
    if (position <= end) {
      const rows = wellFormed(input.subarray(position, end + 1))
      for (let at = 0; at < rows.length;) at = this.#row(rows, at)
    }
    if (this.#rows === before) return undefined
    return { bytes: this.#out.subarray(0, this.#at), rows: this.#rows - before }
  }

  /** Checks that the source ended on a row's end. */
  end (): void {
    if (this.#carry !== undefined && this.#carry.length > 0) throw new ERR_SOURCE_FAILED({ cause: new Error('the source ended inside a row') })
  }

  #reserve (bytes: number): void {
    if (this.#at + bytes <= this.#out.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.#out.length * 2, this.#at + bytes))
    this.#out.copy(grown, 0, 0, this.#at)
    this.#out = grown
  }

  /** Encodes the row starting at `start`; returns the position after its newline. */
  #row (input: Buffer, start: number): number {
    const row = ++this.#rows
    const kinds = this.#kinds
    // Room for the whole row at once: a byte becomes at most six (`\u001f`), a cell gains at most eight (quotes, a
    // comma, `null` for `\N`). Only a formatter's text is measured on its own.
    this.#reserve((input.indexOf(NEWLINE, start) - start) * 6 + kinds.length * 8 + 4)
    this.#out[this.#at++] = COMMA
    this.#out[this.#at++] = 91 // [
    let position = start
    const last = kinds.length - 1
    for (let column = 0; column <= last; column++) {
      if (column > 0) this.#out[this.#at++] = COMMA
      const kind = kinds[column]!
      let end: number
      if (input[position] === BACKSLASH && input[position + 1] === 78 && (input[position + 2] === TAB || input[position + 2] === NEWLINE)) { // \N
        this.#null()
        end = position + 2
      } else if (kind === Kind.Text) {
        end = this.#text(input, position)
      } else {
        end = position
        while (input[end] !== TAB && input[end] !== NEWLINE) end++
        this.#cell(kind, column, input, position, end, row)
      }
      if (input[end] !== (column === last ? NEWLINE : TAB)) {
        throw new ERR_SOURCE_FAILED({ cause: new Error(`row ${row} of the source's text does not have ${kinds.length} columns`) })
      }
      position = end + 1
    }
    this.#out[this.#at++] = 93 // ]
    return position
  }

  #cell (kind: Kind, column: number, input: Buffer, start: number, end: number, row: number): void {
    switch (kind) {
      case Kind.Integer:
        if (isJsonInteger(input, start, end)) return this.#copy(input, start, end)
        break
      case Kind.Number:
        if (isJsonNumber(input, start, end)) return this.#copy(input, start, end)
        break
      case Kind.Date:
        if (end - start === 10 && isDate(input, start)) return this.#quoted(input, start, end)
        break
      case Kind.DateTime:
        if (this.#dateTime(input, start, end)) return
        break
      case Kind.JsNumber:
        if (isJsonInteger(input, start, end)) return this.#copy(input, start, end)
        return this.#write(column, jsNumber(decodeCell(input, start, end)), input, end, row)
      case Kind.UtcDateTime:
        if (this.#utcZone && end - start === 19 && this.#utcWall(input, start)) return
        break
    }
    this.#formatted(column, input, start, end, row)
  }

  /** The value decoded and written by the field's formatter: the row path's own bytes. */
  #formatted (column: number, input: Buffer, start: number, end: number, row: number): void {
    let value = decodeCell(input, start, end)
    if (this.#utc.has(column) && value !== '' && !HAS_ZONE.test(value)) value += 'Z'
    this.#write(column, value, input, end, row)
  }

  /** `value` written by the field's formatter; `end` is where its cell ends in `input`. */
  #write (column: number, value: unknown, input: Buffer, end: number, row: number): void {
    const text = this.#formatters[column]!(value, row)
    // The row's room may not hold a formatter's text (an offset added): measured, then the rest of the row's room.
    this.#reserve(Buffer.byteLength(text))
    this.#at += this.#out.write(text, this.#at)
    this.#reserve((input.indexOf(NEWLINE, end) - end) * 6 + this.#kinds.length * 8 + 4)
  }

  /**
   * `YYYY-MM-DD HH:MM:SS` (a naive datetime: the wall time as stored) or `YYYY-MM-DD HH:MM:SS+00` served in UTC
   * (PostgreSQL's timestamptz in a UTC session), without a fraction: written as the formatter writes them.
   */
  #dateTime (input: Buffer, start: number, end: number): boolean {
    const length = end - start
    if (length !== 19 && !(length === 22 && this.#utcZone && isZeroOffset(input, start + 19))) return false
    if (!isDate(input, start) || !isTime(input, start + 10)) return false
    const out = this.#out
    out[this.#at++] = QUOTE
    input.copy(out, this.#at, start, start + 19)
    if (this.#iso) out[this.#at + 10] = 84 // T
    this.#at += 19
    if (this.#iso && length === 22) out[this.#at++] = 90 // Z
    out[this.#at++] = QUOTE
    return true
  }

  /** A UTC wall time `YYYY-MM-DD HH:MM:SS` answered in UTC: the wall time itself (`Z`-suffixed in ISO). */
  #utcWall (input: Buffer, start: number): boolean {
    if (!isDate(input, start) || !isTime(input, start + 10)) return false
    const out = this.#out
    out[this.#at++] = QUOTE
    input.copy(out, this.#at, start, start + 19)
    if (this.#iso) out[this.#at + 10] = 84 // T
    this.#at += 19
    if (this.#iso) out[this.#at++] = 90 // Z
    out[this.#at++] = QUOTE
    return true
  }

  #null (): void {
    const out = this.#out
    out[this.#at++] = 110 // n
    out[this.#at++] = 117 // u
    out[this.#at++] = 108 // l
    out[this.#at++] = 108 // l
  }

  #copy (input: Buffer, start: number, end: number): void {
    const out = this.#out
    let at = this.#at
    for (let i = start; i < end; i++) out[at++] = input[i]!
    this.#at = at
  }

  #quoted (input: Buffer, start: number, end: number): void {
    this.#out[this.#at++] = QUOTE
    this.#copy(input, start, end)
    this.#out[this.#at++] = QUOTE
  }

  /**
   * The text cell at `start`, re-escaped from the text form to JSON byte by byte (UTF-8 passes through;
   * JSON.stringify's escapes); returns where it ends (its tab or newline).
   */
  #text (input: Buffer, start: number): number {
    const out = this.#out
    let at = this.#at
    out[at++] = QUOTE
    let i = start
    while (true) {
      let byte = input[i]!
      if (PLAIN[byte] === 1) {
        out[at++] = byte
        i++
        continue
      }
      if (byte === TAB || byte === NEWLINE) break
      i++
      if (byte === BACKSLASH && input[i] !== TAB && input[i] !== NEWLINE) byte = unescaped(input[i++]!)
      out[at++] = BACKSLASH
      switch (byte) {
        case QUOTE: out[at++] = QUOTE; break
        case BACKSLASH: out[at++] = BACKSLASH; break
        case 8: out[at++] = 98; break
        case 12: out[at++] = 102; break
        case 10: out[at++] = 110; break
        case 13: out[at++] = 114; break
        case 9: out[at++] = 116; break
        default:
          if (byte >= 32) { // an escaped byte that stands for itself
            out[at - 1] = byte
            break
          }
          out[at++] = 117 // u00XX, lower-case hex as JSON.stringify writes it
          out[at++] = ZERO
          out[at++] = ZERO
          out[at++] = HEX.charCodeAt(byte >> 4)
          out[at++] = HEX.charCodeAt(byte & 15)
      }
    }
    out[at++] = QUOTE
    this.#at = at
    return i
  }
}

/**
 * Complete rows as valid UTF-8: a source that stores any bytes (ClickHouse's String, PostgreSQL's SQL_ASCII) may
 * send malformed sequences, which the row path's drivers decode to U+FFFD; so does this, the same way.
 */
function wellFormed (rows: Buffer): Buffer {
  return isUtf8(rows) ? rows : Buffer.from(rows.toString('utf8'))
}

const HAS_ZONE = /\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i

/** The JS number a source spells `1e+20`, `-0.0`, `nan` or `-inf`; any other text as it is (its formatter judges it). */
function jsNumber (text: string): unknown {
  const number = Number(text)
  if (text !== '' && !Number.isNaN(number)) return number
  if (/^[+-]?nan$/i.test(text)) return NaN
  if (/^[+-]?inf(?:inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity
  return text
}

/** The cell as a string, its backslash sequences undone. */
function decodeCell (input: Buffer, start: number, end: number): string {
  if (input.indexOf(BACKSLASH, start) === -1 || input.indexOf(BACKSLASH, start) >= end) return input.toString('utf8', start, end)
  const bytes = Buffer.allocUnsafe(end - start)
  let at = 0
  for (let i = start; i < end; i++) {
    const byte = input[i]!
    bytes[at++] = byte === BACKSLASH && i + 1 < end ? unescaped(input[++i]!) : byte
  }
  return bytes.toString('utf8', 0, at)
}

function isDigit (byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= NINE
}

/** `-?(0|[1-9]\d*)`: what the int formatter writes verbatim. */
function isJsonInteger (input: Buffer, start: number, end: number): boolean {
  let i = start
  if (input[i] === MINUS) i++
  if (i >= end) return false
  if (input[i] === ZERO) return i + 1 === end
  for (; i < end; i++) if (!isDigit(input[i])) return false
  return true
}

/** `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`: what the double and money formatters write verbatim. */
function isJsonNumber (input: Buffer, start: number, end: number): boolean {
  let i = start
  if (input[i] === MINUS) i++
  if (i >= end || !isDigit(input[i])) return false
  if (input[i] === ZERO) i++
  else while (i < end && isDigit(input[i])) i++
  if (i < end && input[i] === DOT) {
    i++
    if (i >= end || !isDigit(input[i])) return false
    while (i < end && isDigit(input[i])) i++
  }
  if (i < end && (input[i] === 101 || input[i] === 69)) {
    i++
    if (input[i] === 43 || input[i] === MINUS) i++
    if (i >= end || !isDigit(input[i])) return false
    while (i < end && isDigit(input[i])) i++
  }
  return i === end
}

/** `YYYY-MM-DD` at `start`. */
function isDate (input: Buffer, start: number): boolean {
  return isDigit(input[start]) && isDigit(input[start + 1]) && isDigit(input[start + 2]) && isDigit(input[start + 3]) &&
    input[start + 4] === MINUS && isDigit(input[start + 5]) && isDigit(input[start + 6]) &&
    input[start + 7] === MINUS && isDigit(input[start + 8]) && isDigit(input[start + 9])
}

/** ` HH:MM:SS` at `start` (the space included). */
function isTime (input: Buffer, start: number): boolean {
  return input[start] === 32 && isDigit(input[start + 1]) && isDigit(input[start + 2]) && input[start + 3] === 58 &&
    isDigit(input[start + 4]) && isDigit(input[start + 5]) && input[start + 6] === 58 && isDigit(input[start + 7]) && isDigit(input[start + 8])
}

/** `+00` at `start`. */
function isZeroOffset (input: Buffer, start: number): boolean {
  return input[start] === 43 && input[start + 1] === ZERO && input[start + 2] === ZERO
}
