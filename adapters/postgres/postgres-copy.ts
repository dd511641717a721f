import type { SqlStatement } from '../sql/sql-driver.js'

/**
 * The read statement as `COPY (<select>) TO STDOUT`: PostgreSQL writes the rows in its text form and b24bi turns
 * those bytes into the answer (`TextRowsEncoder`). COPY takes no bound parameters, so each `$n` becomes the literal
 * `pg` would have sent for it: an untyped string literal (`E'...'`), which PostgreSQL types from its context exactly
 * as it types an untyped parameter. Undefined (the rows are read through a cursor instead) when a parameter is of a
 * kind `pg` would not send as plain text, or the statement holds what this scanner does not read (dollar quotes).
 *
 * @example
 * copyStatement({ sql: 'select "a" from "t" where "b" = $1', parameters: ["it's"] })
 * // COPY (select "a" from "t" where "b" = E'it''s') TO STDOUT
 */
export function copyStatement (statement: SqlStatement): string | undefined {
  const literals: string[] = []
  for (const parameter of statement.parameters) {
    const literal = parameterLiteral(parameter)
    if (literal === undefined) return undefined
    literals.push(literal)
  }
  const sql = inline(statement.sql, literals)
  return sql === undefined ? undefined : `COPY (${sql}) TO STDOUT`
}

/** The text `pg` sends for a parameter, as a quoted literal; undefined for kinds it would not send as plain text. */
function parameterLiteral (value: unknown): string | undefined {
  if (value === null || value === undefined) return 'NULL'
  const text = parameterText(value)
  if (text === undefined || text.includes('\0')) return undefined
  return `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`
}

function parameterText (value: unknown): string | undefined {
  switch (typeof value) {
    case 'string': return value
    case 'number': return Number.isFinite(value) ? String(value) : undefined
    case 'bigint': return value.toString()
    case 'boolean': return value ? 'true' : 'false'
    default: return Array.isArray(value) ? arrayText(value) : undefined
  }
}

/** A one-dimensional array as `pg` writes it: `{"a","b",NULL}`. */
function arrayText (values: readonly unknown[]): string | undefined {
  const items: string[] = []
  for (const value of values) {
    if (value === null || value === undefined) {
      items.push('NULL')
      continue
    }
    const text = Array.isArray(value) ? undefined : parameterText(value)
    if (text === undefined) return undefined
    items.push(`"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
  }
  return `{${items.join(',')}}`
}

/**
 * Replaces each `$n` outside quotes and comments by `literals[n - 1]`. Undefined for a dollar-quoted string or a
 * `$n` past the parameters, an escape string (`E'...'`) or a nested comment: text this scanner cannot be sure of is
 * never rewritten.
 */
function inline (sql: string, literals: readonly string[]): string | undefined {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const char = sql[i]!
    if (char === "'" || char === '"') {
      // An escape string (`E'\''`) ends where this scanner would not look: refused.
      if (char === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? '')) return undefined
      const close = closing(sql, i, char)
      if (close === -1) return undefined
      out += sql.slice(i, close + 1)
      i = close + 1
    } else if (char === '-' && sql[i + 1] === '-') {
      const close = sql.indexOf('\n', i)
      const end = close === -1 ? sql.length : close
      out += sql.slice(i, end)
      i = end
    } else if (char === '/' && sql[i + 1] === '*') {
      // PostgreSQL's block comments nest; refuse rather than count.
      const close = sql.indexOf('*/', i + 2)
      if (close === -1 || sql.slice(i + 2, close).includes('/*')) return undefined
      out += sql.slice(i, close + 2)
      i = close + 2
    } else if (char === '$') {
      const match = /^\$(\d+)/.exec(sql.slice(i, i + 12))
      // `$tag$` or `$$` opens a dollar-quoted string; `$` inside a word (`a$b`) is part of the identifier.
      if (match === null) {
        if (/[\w$]/.test(sql[i - 1] ?? '')) {
          out += char
          i++
          continue
        }
        return undefined
      }
      const literal = literals[Number(match[1]) - 1]
      if (literal === undefined || /[\w$]/.test(sql[i - 1] ?? '')) return undefined
      out += literal
      i += match[0].length
    } else {
      out += char
      i++
    }
  }
  return out
}

/** The index of the quote that ends the quoted text opened at `start` (a doubled quote stays inside); -1 if none. */
function closing (sql: string, start: number, quote: string): number {
  let i = start + 1
  while (true) {
    const next = sql.indexOf(quote, i)
    if (next === -1) return -1
    if (sql[next + 1] !== quote) return next
    i = next + 2
  }
}
