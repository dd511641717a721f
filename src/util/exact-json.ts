/** A JSON number kept as the text the server wrote, so no digit is lost to a JS double. */
export class JsonNumber {
  readonly text: string
  constructor (text: string) {
    this.text = text
  }

  toString (): string {
    return this.text
  }
}

/** A value of a parsed answer: numbers stay text (see {@link JsonNumber}). */
export type ExactValue = null | boolean | string | JsonNumber | ExactValue[] | { [key: string]: ExactValue }

/** The third argument of a `JSON.parse` reviver (source text access, V8 11.4+, every Node this package supports). */
interface ReviverContext { source?: string }

/**
 * Parses JSON keeping every number as its text: `JSON.parse` hands the reviver each number's source, so the kit
 * sees `9223372036854775807` as the server wrote it.
 */
export function parseExactJson (text: string): ExactValue {
  const reviver = (_key: string, value: unknown, context?: ReviverContext): unknown =>
    typeof value === 'number' ? new JsonNumber(context?.source ?? String(value)) : value
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown) as ExactValue
}

/** Writes a parsed value back as JSON, numbers verbatim: a canonical text to compare rows by. */
export function exactStringify (value: ExactValue): string {
  if (value instanceof JsonNumber) return value.text
  if (Array.isArray(value)) return `[${value.map(exactStringify).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${exactStringify(item)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * Counts the rows of a urlData answer as its bytes arrive, without holding them: the arrays at depth 2,
 * minus the header. Used for the large read, where parsing would measure the client instead of the server.
 */
export class AnswerRowCounter {
  #depth = 0
  #inString = false
  #escape = false
  #arrays = 0

  /** Feeds the next chunk of the answer. */
  push (chunk: string): void {
    for (let index = 0; index < chunk.length; index++) {
      const char = chunk.charCodeAt(index)
      if (this.#inString) {
        if (this.#escape) this.#escape = false
        else if (char === 92) this.#escape = true
        else if (char === 34) this.#inString = false
      } else if (char === 34) {
        this.#inString = true
      } else if (char === 91) {
        this.#depth++
        if (this.#depth === 2) this.#arrays++
      } else if (char === 93) {
        this.#depth--
      }
    }
  }

  /** Rows seen so far (the header excluded). */
  get rows (): number {
    return Math.max(0, this.#arrays - 1)
  }

  /** True when the outer array was closed. */
  get complete (): boolean {
    return this.#arrays > 0 && this.#depth === 0 && !this.#inString
  }
}
