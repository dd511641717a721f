import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { FILTER_ROWS } from '../filter-cases.js'
import { POSTGRES } from '../services.js'
import { DST_ROWS, EDGE_ROWS, EXACT_ROWS } from './suite.js'

/** The suite's PostgreSQL database (see test/helpers/services.ts). */
export const URL = POSTGRES.url

async function createTables (client: pg.Client, schema: string): Promise<void> {
  await client.query(`CREATE SCHEMA ${schema}`)
  await client.query(`CREATE TABLE ${schema}.fixture (id integer, big bigint, amount numeric(18,2), ratio double precision, title text,
    day date, moment timestamp, stamp timestamptz)`)
  for (const row of FILTER_ROWS) {
    const values = row.map((value) => value instanceof Date ? value.toISOString() : typeof value === 'bigint' ? String(value) : value)
    await client.query(`INSERT INTO ${schema}.fixture VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, values)
  }
  await client.query(`CREATE TABLE ${schema}.exact_values (id integer, i64 bigint, amount numeric(38,2), cash money)`)
  for (const [id, i64, amount] of EXACT_ROWS) {
    await client.query(`INSERT INTO ${schema}.exact_values VALUES ($1, $2, $3, $3::numeric::money)`, [id, i64, amount])
  }
  await client.query(`CREATE TABLE ${schema}.dst (id integer, stamp timestamptz)`)
  for (const [id, instant] of DST_ROWS) await client.query(`INSERT INTO ${schema}.dst VALUES ($1, $2)`, [id, instant])
  await client.query(`CREATE TABLE ${schema}.edge_values (id integer, txt text, ratio double precision, day date, moment timestamp, zone text)`)
  for (const row of EDGE_ROWS) await client.query(`INSERT INTO ${schema}.edge_values VALUES ($1, $2, $3, $4, $5, $6)`, [...row])
}

/** A fresh schema with the suite's tables; dropped by the returned cleanup. */
export async function postgresSchema (): Promise<{ schema: string, drop: () => Promise<void> }> {
  const schema = `b24bi_${randomBytes(4).toString('hex')}`
  const client = new pg.Client(URL)
  await client.connect()
  try {
    await createTables(client, schema)
  } finally {
    await client.end()
  }
  return {
    schema,
    drop: async () => {
      const dropper = new pg.Client(URL)
      await dropper.connect()
      await dropper.query(`DROP SCHEMA ${schema} CASCADE`)
      await dropper.end()
    }
  }
}
