import { SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely'
import { loadDriver } from '../../src/adapter-kit/index.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import type { DateTimeValue } from '../../src/core/filter-ast.js'
import { compileOnlyBuilder, utcWall, type FilterList, type SqlEngineDefinition } from '../sql/sql-engine.js'
import { SQLITE_TYPES } from './sqlite-types.js'

/** A LIKE pattern (`%`, `_`, `\` escapes) as the equivalent SQLite GLOB pattern (`*`, `?`, `[x]` literals). */
export function likeToGlob (pattern: string): string {
  let glob = ''
  for (let index = 0; index < pattern.length; index++) {
    let char = pattern[index]!
    const escaped = char === '\\' && index + 1 < pattern.length
    if (escaped) char = pattern[++index]!
    if (!escaped && char === '%') glob += '*'
    else if (!escaped && char === '_') glob += '?'
    else glob += char === '*' || char === '?' || char === '[' ? `[${char}]` : char
  }
  return glob
}

/**
 * SQLite for the shared SQL adapter (`better-sqlite3`, read-only). Dates and datetimes are text compared as text
 * (instants as UTC wall times), decimals are doubles, and LIKE is a GLOB (SQLite's LIKE ignores ASCII case).
 */
export const sqliteEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  name: 'sqlite',
  builder: compileOnlyBuilder({
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler()
  }),
  types: SQLITE_TYPES,
  scopeToDefaultSchema: true,
  systemSchemas: [],
  defaultPort: 0,
  castColumn: (column, as) => as === 'int' ? sql`CAST(${column} AS INTEGER)` : as === 'text' ? sql`CAST(${column} AS TEXT)` : column,
  readColumn: (column, read) => read === 'text' ? sql`CAST(${column} AS TEXT)` : column,
  like: (column, pattern) => sql`${column} GLOB ${likeToGlob(pattern)}`,
  // `lower` is the driver's own (JS toLowerCase): SQLite's built-in folds ASCII only.
  contains: (column, needle) => sql`instr(lower(${column}), ${needle}) > 0`,
  decimal: (value) => sql.val(Number(value)),
  // One JSON parameter whatever the list's length: a statement has at most 32,766 parameters.
  in: (column, _values, list) => sql`${column} IN (SELECT value FROM json_each(${jsonList(list)}))`,
  date: (value) => sql.val(value),
  dateTime: (value, zoned) => sql.val(zoned ? utcWall(value.instant) : value.wall),
  connect: (target) => lazyDriver(async () => {
    const { SqliteDriver } = await loadDriver('better-sqlite3', async () => await import('./sqlite-driver.js'))
    return new SqliteDriver(target)
  }),
  isAuthError: () => false,
  isTimeout: () => false
})

const INT64_MAX = 2n ** 63n - 1n

// The values as the other methods bind them: an int within int64 exactly, other numbers as doubles, instants as UTC.
function jsonList (list: FilterList): string {
  const items = list.values.map((value) => {
    switch (list.type) {
      case 'int': return BigInt(value as string) <= INT64_MAX && BigInt(value as string) >= -INT64_MAX - 1n ? value as string : JSON.stringify(Number(value))
      case 'double':
      case 'money': return JSON.stringify(Number(value))
      case 'datetime': return JSON.stringify(list.zoned ? utcWall((value as DateTimeValue).instant) : (value as DateTimeValue).wall)
      default: return JSON.stringify(value)
    }
  })
  return `[${items.join(',')}]`
}
