import pg from 'pg'
import { PostgresAdapter } from '../../adapters/postgres/index.js'
import type { Adapter } from '../../src/core/adapter.js'
import { POSTGRES } from './services.js'

/** The token the test servers accept; a test greps answers and logs for it. */
export const PG_TOKEN = 'pg-stream-secret-5b1e'

/** Rows of the large test table: enough that an answer is many socket buffers long. */
export const LARGE_ROWS = 300_000

/** Rows of the small `b24bi_inject` table (ID, TITLE 'Company <i>', AMOUNT). */
export const INJECT_ROWS = 50

/** A table of `LARGE_ROWS` rows, a view failing half way (division by zero) and `b24bi_inject`, created once and kept. */
export async function ensurePgTables (pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    // Test files run in parallel: one creates, the others wait on the lock.
    await client.query("SELECT pg_advisory_lock(hashtext('b24bi_stream_tables'))")
    await client.query(`CREATE TABLE IF NOT EXISTS b24bi_stream_large AS
      SELECT i::bigint AS id, 'row ' || i AS title, (i % 1000) / 7.0 AS amount, DATE '2025-01-01' + (i % 365) AS day
      FROM generate_series(1, ${LARGE_ROWS}) AS s(i)`)
    await client.query(`CREATE OR REPLACE VIEW b24bi_stream_fails AS
      SELECT i::bigint AS id, 1 / (${LARGE_ROWS / 2} - i) AS x FROM generate_series(1, ${LARGE_ROWS}) AS s(i)`)
    await client.query(`CREATE TABLE IF NOT EXISTS b24bi_inject AS
      SELECT i::bigint AS id, 'Company ' || i AS title, i * 1.5 AS amount FROM generate_series(1, ${INJECT_ROWS}) AS s(i)`)
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('b24bi_stream_tables'))").catch(() => {})
    client.release()
  }
}

/** A pool on the test database (`POSTGRES` of test/helpers/services.ts). */
export function testPool (): pg.Pool {
  return new pg.Pool({ connectionString: POSTGRES.url, max: 3 })
}

/** The PostgreSQL URL of the test database. */
export function pgUrl (): string {
  return POSTGRES.url
}

/** The adapter the PostgreSQL streaming, fault and injection tests use: `b24bi/postgres` serving `tables`. */
export const PG_ADAPTER: { name: string, create: (tables: readonly string[], url?: string) => Adapter } = {
  name: 'b24bi/postgres',
  create: (tables, url = pgUrl()) => new PostgresAdapter({ url, token: PG_TOKEN, exposure: { tables: { allow: [...tables] } }, poolSize: 20 })
}
