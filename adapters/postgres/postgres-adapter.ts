import { sql } from 'kysely'
import { SqlAdapter } from '../sql/sql-adapter.js'
import { lazyDriver } from '../sql/lazy-driver.js'
import { loadDriver } from '../../src/driver-load.js'
import { queryBuilder } from '../sql/sql-dialect.js'
import type { SqlEngineDefinition } from '../sql/sql-driver.js'
import type { SqlAdapterOptions } from '../sql/sql-options.js'
import { isPostgresAuthError, isPostgresBusy, isPostgresTimeout } from './postgres-errors.js'
import { POSTGRES_TYPES } from './postgres-types.js'

/** PostgreSQL for the shared SQL adapter (`pg` + `pg-cursor`). */
export const postgresEngine: SqlEngineDefinition = Object.freeze<SqlEngineDefinition>({
  engine: 'postgres',
  builder: queryBuilder('postgres'),
  types: POSTGRES_TYPES,
  scopeToDefaultSchema: false,
  systemSchemas: ['pg_catalog', 'information_schema'],
  defaultPort: 5432,
  castColumn: (column, as) => as === 'int' ? sql`CAST(${column} AS integer)` : as === 'decimal' ? sql`CAST(${column} AS numeric)` : sql`CAST(${column} AS text)`,
  readColumn: (column) => sql`CAST(${column} AS text)`,
  connect: (target, options) => lazyDriver(async () => {
    const { PostgresDriver } = await loadDriver(['pg', 'pg-cursor'], async () => await import('./postgres-driver.js'))
    return new PostgresDriver(target, options)
  }),
  isAuthError: isPostgresAuthError,
  isTimeout: isPostgresTimeout,
  isBusy: isPostgresBusy
})

/**
 * Serves PostgreSQL tables, views and curated queries to the portal.
 *
 * @example
 * new PostgresAdapter({ url: 'postgres://reader@db.example.com/sales', token: process.env.CONNECTOR_TOKEN })
 */
export class PostgresAdapter extends SqlAdapter {
  constructor (options: SqlAdapterOptions) {
    super(postgresEngine, options)
  }
}
