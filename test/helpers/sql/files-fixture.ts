import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { FILTER_ROWS } from '../filter-cases.js'
import { DST_ROWS, EDGE_ROWS, EXACT_ROWS } from './suite.js'

type Value = string | number | bigint | null

/** A fresh folder with the suite's tables as Parquet files; removed by the returned cleanup. */
export async function parquetFolder (): Promise<{ directory: string, remove: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-files-'))
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(`CREATE TABLE fixture ("ID" INTEGER, "BIG" BIGINT, "AMOUNT" DECIMAL(18, 2), "RATIO" DOUBLE, "TITLE" VARCHAR,
      "DAY" DATE, "MOMENT" TIMESTAMP, "STAMP" TIMESTAMPTZ)`)
    for (const row of FILTER_ROWS) {
      await connection.run('INSERT INTO fixture VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', row.map((value) => value instanceof Date ? value.toISOString() : value) as Value[])
    }
    await connection.run('CREATE TABLE exact_values ("ID" INTEGER, "I64" BIGINT, "AMOUNT" DECIMAL(38, 2))')
    for (const [id, i64, amount] of EXACT_ROWS) {
      await connection.run('INSERT INTO exact_values VALUES ($1, CAST($2 AS BIGINT), CAST($3 AS DECIMAL(38, 2)))', [id, i64, amount])
    }
    await connection.run('CREATE TABLE dst ("ID" INTEGER, "STAMP" TIMESTAMPTZ)')
    for (const [id, instant] of DST_ROWS) await connection.run('INSERT INTO dst VALUES ($1, CAST($2 AS TIMESTAMPTZ))', [id, instant])
    await connection.run('CREATE TABLE edge_values ("ID" INTEGER, "TXT" VARCHAR, "RATIO" DOUBLE, "DAY" DATE, "MOMENT" TIMESTAMP, "ZONE" VARCHAR)')
    for (const row of EDGE_ROWS) {
      const [id, text, ratio, ...rest] = row
      await connection.run('INSERT INTO edge_values VALUES ($1, $2, CAST($3 AS DOUBLE), CAST($4 AS DATE), CAST($5 AS TIMESTAMP), $6)',
        [id, text, ratio === null ? null : String(ratio), ...rest])
    }
    for (const table of ['fixture', 'exact_values', 'dst', 'edge_values']) {
      await connection.run(`COPY ${table} TO '${join(directory, `${table}.parquet`).replaceAll("'", "''")}' (FORMAT parquet)`)
    }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
  return { directory, remove: async () => await rm(directory, { recursive: true, force: true }) }
}
