import { spawn } from 'node:child_process'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@clickhouse/client'
import { DuckDBInstance } from '@duckdb/node-api'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { request } from 'undici'
import { copyThroughPsql, type Transfer } from './measure.js'
import { BENCH_COLUMNS, benchSelect, benchTable, pgConfig, seedBenchTable } from './seed.js'

/** The engines the benchmark measures, each over the same 8-column table. */
export const BENCH_ENGINES = ['postgres', 'clickhouse', 'mysql', 'sqlite', 'duckdb'] as const
export type BenchEngineName = typeof BENCH_ENGINES[number]

/** One engine: its table, its own export (the read limit b24bi is compared with) and the server serving it. */
export interface BenchEngine {
  name: BenchEngineName
  /** The engine's own export, as the output names it. */
  exportName: string
  /** True when the engine writes the answer rows itself (`readEncoded`): its row path is measured too. */
  writesRows: boolean
  /** Creates the table of `rows` rows unless it is there already; true when it had to write them. */
  seed: (rows: number) => Promise<boolean>
  /** The engine's own export of the whole table, read to the end. */
  exportTable: (rows: number) => Promise<Transfer>
  /** What `bench/server.js <name>` serves: the table list, the SQLite file or the files adapter's folder. */
  target: (rows: number) => string
  /** The table the portal asks for. */
  table: (rows: number) => string
}

/** Where the benchmark's ClickHouse and MySQL are: the machine's own servers unless the variables say otherwise. */
export function benchUrls (env: NodeJS.ProcessEnv = process.env): { clickhouse: string, mysql: string } {
  return {
    clickhouse: env.B24BI_BENCH_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123/default',
    mysql: env.B24BI_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'
  }
}

/** The folder the file engines' tables are cached in between runs (SQLite databases, Parquet files). */
export const BENCH_FILES = join(tmpdir(), 'b24bi-bench-tables')

const sqlitePath = (rows: number): string => join(BENCH_FILES, `${benchTable(rows)}.sqlite`)
const duckdbFolder = (rows: number): string => join(BENCH_FILES, `duckdb-${rows}`)
const parquetPath = (rows: number): string => join(duckdbFolder(rows), `${benchTable(rows)}.parquet`)

async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

/** Runs a command and counts its standard output: the engine's own client writing the rows. */
async function timedCommand (command: string, args: string[], rows: number): Promise<Transfer> {
  const started = performance.now()
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  let bytes = 0
  child.stdout.on('data', (chunk: Buffer) => { bytes += chunk.length })
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null))
    child.once('close', resolve)
  })
  const seconds = (performance.now() - started) / 1000
  return { rows, bytes, seconds, rowsPerSecond: rows / seconds, complete: code === 0 }
}

const postgres: BenchEngine = {
  name: 'postgres',
  exportName: 'psql COPY TO STDOUT',
  writesRows: true,
  seed: async (rows) => {
    const pool = new pg.Pool(pgConfig())
    try {
      return await seedBenchTable(pool, rows)
    } finally {
      await pool.end()
    }
  },
  exportTable: async (rows) => await copyThroughPsql(benchSelect(benchTable(rows)), rows),
  target: benchTable,
  table: benchTable
}

// The same values as PostgreSQL's table; `created_at` a DateTime in the server's zone (UTC here).
const clickhouse: BenchEngine = {
  name: 'clickhouse',
  exportName: 'HTTP FORMAT TabSeparated',
  writesRows: true,
  seed: async (rows) => {
    const client = createClient({ url: benchUrls().clickhouse })
    const table = benchTable(rows)
    try {
      const present = await (await client.query({ query: `SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = '${table}'`, format: 'JSONEachRow' })).json<{ n: string }>()
      if (Number(present[0]?.n) > 0) {
        const [count] = await (await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })).json<{ n: string }>()
        if (Number(count?.n) === rows) return false
      }
      await client.command({ query: `DROP TABLE IF EXISTS ${table}` })
      await client.command({
        query: `CREATE TABLE ${table} (id Int64, qty Int32, amount Decimal(14, 2), ratio Float64, title String, stage String,
          day Date, created_at DateTime) ENGINE = MergeTree ORDER BY id`
      })
      await client.command({
        query: `INSERT INTO ${table} SELECT i, toInt32((i * 7919) % 1000), toDecimal64((i * 2654435761) % 100000000, 2) / 100,
          (i % 101) / 7, concat('Deal #', toString(i), ' for Müller & Söhne'), ['NEW', 'PREPARATION', 'WON', 'LOSE'][i % 4 + 1],
          toDate('2024-01-01') + (i % 900), toDateTime('2024-01-01 00:00:00') + (i * 37) % 60000000
          FROM (SELECT number + 1 AS i FROM numbers(${rows}))`
      })
      return true
    } finally {
      await client.close()
    }
  },
  exportTable: async (rows) => {
    const url = new URL(benchUrls().clickhouse)
    const database = url.pathname.slice(1) || 'default'
    const started = performance.now()
    const answer = await request(`${url.origin}/?database=${encodeURIComponent(database)}`, {
      method: 'POST',
      body: `${benchSelect(benchTable(rows))} FORMAT TabSeparated`,
      headers: url.username === '' ? {} : { authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` },
      bodyTimeout: 600_000
    })
    let bytes = 0
    for await (const chunk of answer.body as AsyncIterable<Buffer>) bytes += chunk.length
    const seconds = (performance.now() - started) / 1000
    return { rows, bytes, seconds, rowsPerSecond: rows / seconds, complete: answer.statusCode === 200 }
  },
  target: benchTable,
  table: benchTable
}

const mysqlEngine: BenchEngine = {
  name: 'mysql',
  exportName: 'mariadb --batch --quick',
  writesRows: false,
  seed: async (rows) => {
    const connection = await mysql.createConnection({ uri: benchUrls().mysql })
    const table = benchTable(rows)
    try {
      const [present] = await connection.query(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${table}'`)
      if (Number((present as Array<{ n: number }>)[0]?.n) > 0) {
        const [count] = await connection.query(`SELECT COUNT(*) AS n FROM ${table}`)
        if (Number((count as Array<{ n: number }>)[0]?.n) === rows) return false
      }
      await connection.query(`DROP TABLE IF EXISTS ${table}`)
      await connection.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, qty INT, amount DECIMAL(14, 2), ratio DOUBLE,
        title VARCHAR(100), stage VARCHAR(20), day DATE, created_at DATETIME) ENGINE = InnoDB`)
      // MariaDB's sequence engine (seq_1_to_N) writes the numbers.
      await connection.query(`INSERT INTO ${table} SELECT seq, (seq * 7919) % 1000, ((seq * 2654435761) % 100000000) / 100,
        (seq % 101) / 7, CONCAT('Deal #', seq, ' for Müller & Söhne'), ELT(seq % 4 + 1, 'NEW', 'PREPARATION', 'WON', 'LOSE'),
        DATE '2024-01-01' + INTERVAL (seq % 900) DAY, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL ((seq * 37) % 60000000) SECOND
        FROM seq_1_to_${rows}`)
      return true
    } finally {
      await connection.end()
    }
  },
  exportTable: async (rows) => {
    const url = new URL(benchUrls().mysql)
    const args = ['--batch', '--quick', '-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username) || 'root',
      ...(url.password === '' ? [] : [`-p${decodeURIComponent(url.password)}`]), '-e', benchSelect(benchTable(rows)), url.pathname.slice(1)]
    return await timedCommand('mariadb', args, rows)
  },
  target: benchTable,
  table: benchTable
}

const sqlite: BenchEngine = {
  name: 'sqlite',
  exportName: 'sqlite3 -batch -tabs',
  writesRows: false,
  seed: async (rows) => {
    const path = sqlitePath(rows)
    if (await exists(path)) return false
    await mkdir(BENCH_FILES, { recursive: true })
    const writing = `${path}.tmp`
    await rm(writing, { force: true })
    const db = new Database(writing)
    try {
      db.exec(`CREATE TABLE ${benchTable(rows)} (id BIGINT PRIMARY KEY, qty INTEGER, amount DECIMAL(14, 2), ratio DOUBLE,
        title TEXT, stage TEXT, day DATE, created_at DATETIME) WITHOUT ROWID`)
      db.exec(`INSERT INTO ${benchTable(rows)} WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows})
        SELECT i, (i * 7919) % 1000, ((i * 2654435761) % 100000000) / 100.0, (i % 101) / 7.0, 'Deal #' || i || ' for Müller & Söhne',
          CASE i % 4 WHEN 0 THEN 'NEW' WHEN 1 THEN 'PREPARATION' WHEN 2 THEN 'WON' ELSE 'LOSE' END,
          date('2024-01-01', '+' || (i % 900) || ' days'), datetime('2024-01-01 00:00:00', '+' || ((i * 37) % 60000000) || ' seconds')
        FROM s`)
    } finally {
      db.close()
    }
    await rename(writing, path)
    return true
  },
  exportTable: async (rows) => await timedCommand('sqlite3', ['-batch', '-tabs', sqlitePath(rows), benchSelect(benchTable(rows))], rows),
  target: sqlitePath,
  table: benchTable
}

// A Parquet file of the same columns (DECIMAL(14, 2), TIMESTAMP), served by the files adapter from its own folder.
const duckdb: BenchEngine = {
  name: 'duckdb',
  exportName: 'DuckDB COPY TO csv',
  writesRows: true,
  seed: async (rows) => {
    const path = parquetPath(rows)
    if (await exists(path)) return false
    await mkdir(duckdbFolder(rows), { recursive: true })
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    try {
      await connection.run(`COPY (SELECT i AS id, CAST((i * 7919) % 1000 AS INTEGER) AS qty,
        CAST(((i * 2654435761) % 100000000) / 100 AS DECIMAL(14, 2)) AS amount, (i % 101) / 7.0 AS ratio,
        'Deal #' || i || ' for Müller & Söhne' AS title, ['NEW', 'PREPARATION', 'WON', 'LOSE'][i % 4 + 1] AS stage,
        DATE '2024-01-01' + CAST(i % 900 AS INTEGER) AS day, TIMESTAMP '2024-01-01 00:00:00' + to_seconds((i * 37) % 60000000) AS created_at
        FROM range(1, ${rows + 1}) t(i)) TO '${path.replaceAll("'", "''")}.tmp' (FORMAT parquet)`)
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
    await rename(`${path}.tmp`, path)
    return true
  },
  exportTable: async (rows) => {
    const out = join(BENCH_FILES, `export-${process.pid}.csv`)
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' })
    const connection = await instance.connect()
    try {
      const started = performance.now()
      await connection.run(`COPY (SELECT ${BENCH_COLUMNS.join(', ')} FROM read_parquet('${parquetPath(rows).replaceAll("'", "''")}'))
        TO '${out.replaceAll("'", "''")}' (FORMAT csv, DELIMITER '\t', HEADER false)`)
      const seconds = (performance.now() - started) / 1000
      const { size } = await stat(out)
      return { rows, bytes: size, seconds, rowsPerSecond: rows / seconds, complete: true }
    } finally {
      connection.closeSync()
      instance.closeSync()
      await rm(out, { force: true })
    }
  },
  target: duckdbFolder,
  table: benchTable
}

/** Every engine by name. */
export const ENGINES: Readonly<Record<BenchEngineName, BenchEngine>> = { postgres, clickhouse, mysql: mysqlEngine, sqlite, duckdb }
