import { MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, sql } from 'kysely'
import { loadDriver } from '../../src/adapter-kit/index.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import { compileOnlyBuilder, utcWall, type SqlEngineDefinition } from '../sql/sql-engine.js'
import { isMysqlAuthError, isMysqlBusy, isMysqlTimeout } from './mysql-errors.js'
import { MYSQL_TYPES } from './mysql-types.js'

/**
 * MySQL and MariaDB for the shared SQL adapter (`mysql2`). Their default collations are case- and accent-insensitive
 * and pad spaces, so text compares as UTF-8 bytes; instants (`TIMESTAMP`, session time_zone +00:00) as UTC wall times.
 */
export const mysqlEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  name: 'mysql',
  builder: compileOnlyBuilder({
    createAdapter: () => new MysqlAdapter(),
    createIntrospector: (db) => new MysqlIntrospector(db),
    createQueryCompiler: () => new MysqlQueryCompiler()
  }),
  types: MYSQL_TYPES,
  scopeToDefaultSchema: true,
  systemSchemas: ['information_schema', 'mysql', 'performance_schema', 'sys'],
  defaultPort: 3306,
  castColumn: (column, as) => {
    if (as === 'int') return sql`CAST(${column} AS SIGNED)`
    return as === 'decimal' ? sql`CAST(${column} AS DECIMAL(65, 30))` : sql`CAST(${column} AS CHAR)`
  },
  readColumn: (column, read) => read === 'text' ? sql`CAST(${column} AS CHAR)` : column,
  textEquality: (column) => sql`CAST(CONVERT(${column} USING utf8mb4) AS BINARY)`,
  // LIKE escapes with a backslash by default; utf8mb4_bin makes it case-sensitive, `_` one character.
  like: (column, pattern) => sql`CONVERT(${column} USING utf8mb4) LIKE (${pattern} COLLATE utf8mb4_bin)`,
  contains: (column, needle) => sql`INSTR(CAST(LOWER(CONVERT(${column} USING utf8mb4)) AS BINARY), CAST(${needle} AS BINARY)) > 0`,
  dateTime: (value, zoned) => sql`CAST(${zoned ? utcWall(value.instant) : value.wall} AS DATETIME)`,
  connect: (target, options) => lazyDriver(async () => {
    const { MysqlDriver } = await loadDriver('mysql2', async () => await import('./mysql-driver.js'))
    return new MysqlDriver(target, options)
  }),
  isAuthError: isMysqlAuthError,
  isTimeout: isMysqlTimeout,
  isBusy: isMysqlBusy
})
