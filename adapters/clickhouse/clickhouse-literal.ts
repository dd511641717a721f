import { MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, type Kysely } from 'kysely'
import { ERR_NOT_SUPPORTED } from '../../src/core/errors.js'
import { compileOnlyBuilder } from '../sql/sql-engine.js'

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\', "'": "\\'", '\0': '\\0', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\x07': '\\a'
}
// Every character that ends or changes a ClickHouse string literal, and every other control character.
// eslint-disable-next-line no-control-regex -- the control characters a ClickHouse literal must escape
const SPECIAL = /[\\'\0-\x1f\x7f]/g

function escapeChar (char: string): string {
  return ESCAPES[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`
}

/** A ClickHouse string literal: backslash and quote escaped, every control character as an escape sequence. */
export function clickhouseString (value: string): string {
  return `'${value.replace(SPECIAL, escapeChar)}'`
}

/**
 * The literal SQL for one value, for servers without parameter binding (ClickHouse before 19.x):
 * strings quoted and escaped, finite numbers and bigints as digits, booleans as 1/0, null as NULL.
 * Anything else throws: no value reaches the SQL text without a known, typed spelling.
 *
 * @example
 * clickhouseLiteral("O'Brien\\") // 'O\'Brien\\'
 */
export function clickhouseLiteral (value: unknown): string {
  switch (typeof value) {
    case 'string': return clickhouseString(value)
    case 'bigint': return value.toString()
    case 'number':
      if (!Number.isFinite(value)) throw new ERR_NOT_SUPPORTED('A non-finite number in a ClickHouse query')
      return String(value)
    case 'boolean': return value ? '1' : '0'
    default:
      if (value === null) return 'NULL'
      throw new ERR_NOT_SUPPORTED(`A ${typeof value} value in a ClickHouse query`)
  }
}

/** MySQL's syntax (backticks, LIMIT) with every value written inline as a typed literal, identifiers escaped ClickHouse's way. */
class ClickHouseQueryCompiler extends MysqlQueryCompiler {
  protected override appendValue (parameter: unknown): void {
    this.append(clickhouseLiteral(parameter))
  }

  protected override appendStringLiteral (value: string): void {
    this.append(clickhouseString(value))
  }

  protected override sanitizeIdentifier (identifier: string): string {
    return identifier.replace(/[\\`]/g, (char) => `\\${char}`)
  }
}

/**
 * A compile-only Kysely for ClickHouse 18: `.compile()` gives SQL with no parameters (all values inlined
 * through `clickhouseLiteral`).
 */
export const clickhouseBuilder: Kysely<any> = compileOnlyBuilder({
  createAdapter: () => new MysqlAdapter(),
  createIntrospector: (db) => new MysqlIntrospector(db),
  createQueryCompiler: () => new ClickHouseQueryCompiler()
})
