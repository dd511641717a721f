import pg from 'pg'

/** Where the benchmark's PostgreSQL is: the machine's own server unless PG* variables say otherwise. */
export function pgConfig (env: NodeJS.ProcessEnv = process.env): pg.PoolConfig {
  return {
    host: env.PGHOST ?? '127.0.0.1',
    port: Number(env.PGPORT ?? 5432),
    user: env.PGUSER ?? 'postgres',
    password: env.PGPASSWORD,
    database: env.PGDATABASE ?? 'test'
  }
}

/** The token every benchmark server accepts. */
export const BENCH_TOKEN = 'bench-token'

/** The name of the benchmark table holding `rows` rows. */
export function benchTable (rows: number): string {
  return `b24bi_bench_${rows}`
}

/** The eight columns, covering the five portal types (int, double/money, string, date, datetime). */
export const BENCH_COLUMNS = ['id', 'qty', 'amount', 'ratio', 'title', 'stage', 'day', 'created_at'] as const

/** The SELECT every contender runs, so each reads exactly the same rows and columns. */
export function benchSelect (table: string): string {
  return `SELECT ${BENCH_COLUMNS.join(', ')} FROM ${table}`
}

/**
 * Creates `b24bi_bench_<rows>` (unlogged) with deterministic rows unless it already holds that many.
 * Returns true when it had to write the rows.
 */
export async function seedBenchTable (pool: pg.Pool, rows: number): Promise<boolean> {
  const table = benchTable(rows)
  const present = await pool.query<{ n: string }>(
    'SELECT reltuples::bigint AS n FROM pg_class WHERE relname = $1 AND relkind = \'r\'', [table])
  if (present.rows.length > 0) {
    const { rows: [count] } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)
    if (Number(count?.n) === rows) return false
  }
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.query(`CREATE UNLOGGED TABLE ${table} (
    id bigint PRIMARY KEY, qty integer, amount numeric(14, 2), ratio double precision,
    title text, stage text, day date, created_at timestamptz)`)
  await pool.query(`INSERT INTO ${table}
    SELECT i, (i * 7919) % 1000, ((i * 2654435761) % 100000000) / 100.0, (i % 101) / 7.0,
      'Deal #' || i || ' for Müller & Söhne', (ARRAY['NEW', 'PREPARATION', 'WON', 'LOSE'])[i % 4 + 1],
      DATE '2024-01-01' + (i % 900)::int, TIMESTAMPTZ '2024-01-01 00:00:00+00' + make_interval(secs => (i * 37) % 60000000)
    FROM generate_series(1::bigint, ${rows}::bigint) AS s(i)`)
  await pool.query(`ANALYZE ${table}`)
  return true
}
