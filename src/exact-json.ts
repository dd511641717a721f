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

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const LITERALS: Record<string, ExactValue> = { true: true, false: false, null: null }

/**
 * Parses JSON keeping every number as its text. Node 20's `JSON.parse` has no access to a number's
 * source, and the kit must see `9223372036854775807` as the server wrote it.
 */
export function parseExactJson (text: string): ExactValue {
  const state = { text, at: 0 }
  const value = parseValue(state)
  skipSpace(state)
  if (state.at !== text.length) throw new SyntaxError(`unexpected text at ${state.at}`)
  return value
}

interface State { text: string, at: number }

function skipSpace (state: State): void {
  while (state.at < state.text.length && ' \t\n\r'.includes(state.text[state.at]!)) state.at++
}

function parseValue (state: State): ExactValue {
  skipSpace(state)
  const char = state.text[state.at]
  if (char === '[') return parseArray(state)
  if (char === '{') return parseObject(state)
  if (char === '"') return parseString(state)
  for (const [word, value] of Object.entries(LITERALS)) {
    if (state.text.startsWith(word, state.at)) {
      state.at += word.length
      return value
    }
  }
  NUMBER.lastIndex = state.at
  const match = NUMBER.exec(state.text)
  if (match === null) throw new SyntaxError(`unexpected character at ${state.at}`)
  state.at += match[0].length
  return new JsonNumber(match[0])
}

function parseArray (state: State): ExactValue[] {
  state.at++
  const items: ExactValue[] = []
  skipSpace(state)
  if (state.text[state.at] === ']') {
    state.at++
    return items
  }
  while (true) {
    items.push(parseValue(state))
    skipSpace(state)
    const char = state.text[state.at++]
    if (char === ']') return items
    if (char !== ',') throw new SyntaxError(`expected , or ] at ${state.at - 1}`)
  }
}

function parseObject (state: State): { [key: string]: ExactValue } {
  state.at++
  const object: { [key: string]: ExactValue } = {}
  skipSpace(state)
  if (state.text[state.at] === '}') {
    state.at++
    return object
  }
  while (true) {
    skipSpace(state)
    const key = parseString(state)
    skipSpace(state)
    if (state.text[state.at++] !== ':') throw new SyntaxError(`expected : at ${state.at - 1}`)
    object[key] = parseValue(state)
    skipSpace(state)
    const char = state.text[state.at++]
    if (char === '}') return object
    if (char !== ',') throw new SyntaxError(`expected , or } at ${state.at - 1}`)
  }
}

function parseString (state: State): string {
  const start = state.at
  let at = start + 1
  while (at < state.text.length) {
    const char = state.text[at]
    if (char === '\\') at += 2
    else if (char === '"') break
    else at++
  }
  state.at = at + 1
  return JSON.parse(state.text.slice(start, at + 1)) as string
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
