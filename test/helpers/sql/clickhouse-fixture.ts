import { randomBytes } from 'node:crypto'
import { createClient } from '@clickhouse/client'
import { clickhouseString } from '../../../adapters/clickhouse/clickhouse-literal.js'
import { FILTER_ROWS } from '../filter-cases.js'
import { CLICKHOUSE } from '../services.js'
import { DST_ROWS, EDGE_ROWS, EXACT_ROWS } from './suite.js'

/** The suite's ClickHouse HTTP endpoint (see test/helpers/services.ts). */
export const CLICKHOUSE_URL = CLICKHOUSE.url

const utcWall = (value: Date | string): string => new Date(value).toISOString().slice(0, 19).replace('T', ' ')

// Test data only: numbers go in as their digits, everything else as a quoted, escaped literal.
function literal (value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (value instanceof Date) return clickhouseString(utcWall(value))
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  return clickhouseString(String(value))
}

/** A fresh database with the suite's tables; dropped by the returned cleanup. */
export async function clickhouseDatabase (): Promise<{ database: string, drop: () => Promise<void> }> {
  const database = `b24bi_${randomBytes(4).toString('hex')}`
  const client = createClient({ url: CLICKHOUSE_URL })
  const run = async (query: string): Promise<void> => { await client.command({ query }) }
  try {
    await run(`CREATE DATABASE ${database}`)
    await run(`CREATE TABLE ${database}.fixture (id Int32, big Nullable(Int64), amount Nullable(Decimal(18, 2)), ratio Nullable(Float64),
      title Nullable(String), day Nullable(Date), moment Nullable(DateTime), stamp Nullable(DateTime('UTC'))) ENGINE = Memory`)
    const rows = FILTER_ROWS.map((row) => `(${row.map((value, index) => index === 2 && value !== null ? String(value) : literal(value)).join(', ')})`)
    await run(`INSERT INTO ${database}.fixture VALUES ${rows.join(', ')}`)
    await run(`CREATE TABLE ${database}.exact_values (id Int32, i64 Nullable(Int64), amount Nullable(Decimal(38, 2))) ENGINE = Memory`)
    await run(`INSERT INTO ${database}.exact_values VALUES ${EXACT_ROWS.map(([id, i64, amount]) => `(${id}, ${i64 ?? 'NULL'}, ${amount ?? 'NULL'})`).join(', ')}`)
    await run(`CREATE TABLE ${database}.dst (id Int32, stamp DateTime('UTC')) ENGINE = Memory`)
    await run(`INSERT INTO ${database}.dst VALUES ${DST_ROWS.map(([id, instant]) => `(${id}, ${literal(new Date(instant))})`).join(', ')}`)
    await run(`CREATE TABLE ${database}.edge_values (id Int32, txt Nullable(String), ratio Nullable(Float64), day Nullable(Date),
      moment Nullable(DateTime('UTC')), zone Nullable(String)) ENGINE = Memory`)
    await run(`INSERT INTO ${database}.edge_values VALUES ${EDGE_ROWS.map((row) => `(${row.map(literal).join(', ')})`).join(', ')}`)
  } finally {
    await client.close()
  }
  return {
    database,
    drop: async () => {
      const dropper = createClient({ url: CLICKHOUSE_URL })
      await dropper.command({ query: `DROP DATABASE ${database}` })
      await dropper.close()
    }
  }
}
