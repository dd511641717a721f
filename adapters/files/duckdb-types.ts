import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Kysely } from 'kysely'
import { compileOnlyBuilder } from '../sql/sql-engine.js'
import type { SqlTypeRule } from '../sql/sql-types.js'

/** The folder a DuckDB driver serves, and DuckDB's settings. */
export interface DuckDbFolder {
  directory: string
  /** Only the files whose relative path matches (`**` across folders); undefined: the files directly in `directory`. */
  glob?: RegExp
  threads: number
  memoryLimitMegabytes: number
  /** After a task that allocated more than this many MiB, DuckDB hands the memory back to the system. */
  allocatorFlushMegabytes: number
}

/** A compile-only Kysely for DuckDB: PostgreSQL's syntax and `$1` placeholders. */
export const duckdbBuilder: Kysely<any> = compileOnlyBuilder({
  createAdapter: () => new PostgresAdapter(),
  createIntrospector: (db) => new PostgresIntrospector(db),
  createQueryCompiler: () => new PostgresQueryCompiler()
})

/**
 * DuckDB column types to portal types, for the shared SQL adapter; first match wins (over the lower-cased type name),
 * anything else is a string read as text. Each rule names its types in words: the table in docs/adapters.md is
 * generated from them (`mappingTable`).
 */
export const DUCKDB_TYPES: readonly SqlTypeRule[] = Object.freeze([
  [/^(tinyint|smallint|integer|bigint|hugeint|utinyint|usmallint|uinteger|ubigint|uhugeint|int\d*)$/, { type: 'int' }, 'TINYINT … HUGEINT, unsigned', 'exact'],
  [/^boolean$/, { type: 'int', as: 'int' }, 'BOOLEAN', '1/0'],
  [/^decimal/, { type: 'double', read: 'text' }, 'DECIMAL(p,s)', 'every digit'],
  [/^(float|double|real)$/, { type: 'double' }, 'FLOAT, DOUBLE'],
  [/^date$/, { type: 'date', read: 'text' }, 'DATE'],
  [/^(timestamp with time zone|timestamptz)$/, { type: 'datetime', zoned: true, read: 'utc' }, 'TIMESTAMP WITH TIME ZONE'],
  [/^(timestamp|datetime)/, { type: 'datetime', read: 'text' }, 'TIMESTAMP (any precision)', 'as stored'],
  [/^varchar$/, { type: 'string' }, 'VARCHAR']
] as const)
