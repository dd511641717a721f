import { CLICKHOUSE_TYPES } from '../../adapters/clickhouse/clickhouse-types.js'
import { DUCKDB_TYPES } from '../../adapters/files/duckdb-types.js'
import { MYSQL_TYPES } from '../../adapters/mysql/mysql-types.js'
import { POSTGRES_TYPES } from '../../adapters/postgres/postgres-types.js'
import { SQLITE_TYPES } from '../../adapters/sqlite/sqlite-types.js'
import { mappingTable } from '../../adapters/sql/sql-types.js'

/** One type mapping table of docs/adapters.md: its marker id (`<!-- types:<id>:start -->`) and its Markdown. */
export interface TypeTable {
  id: string
  table: string
}

/**
 * The type mapping tables of docs/adapters.md, generated from the engines' rule arrays (see `docFiles`): `npm run
 * docs` writes them and `test/unit/project/doc-blocks.test.ts` keeps them equal.
 */
export function typeTables (): TypeTable[] {
  return [
    { id: 'postgres', table: mappingTable('PostgreSQL', POSTGRES_TYPES) },
    { id: 'mysql', table: mappingTable('MySQL / MariaDB', MYSQL_TYPES) },
    { id: 'sqlite', table: mappingTable('SQLite (declared type)', SQLITE_TYPES, ['BLOB, none, anything else', 'text form; logged once']) },
    { id: 'clickhouse', table: mappingTable('ClickHouse', CLICKHOUSE_TYPES, ['Array, Tuple, Nested, anything else', 'text form; logged once']) },
    { id: 'duckdb', table: mappingTable('DuckDB (files adapter)', DUCKDB_TYPES, ['anything else (UUID, LIST, …)', 'text form; logged once']) }
  ]
}
