import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadDriver } from '../driver-load.js'
import { sql } from 'kysely'
import { duckdbBuilder } from '../../adapters/files/duckdb-engine.js'

/** Bump when the demo's content changes, so an old cached copy is regenerated. */
export const DEMO_DATA_VERSION = '1'

/** Row counts of the demo tables. */
export const DEMO_ROWS = Object.freeze({ companies: 1_000, contacts: 20_000, deals: 120_000, activities: 250_000, exact_values: 5 })

// A deterministic pseudo-random integer in [0, n) for row i and a salt: no RNG, the same on every machine.
const pick = (salt: number, n: number): string => `((i * ${2654435761 + salt * 97} + ${salt * 7919}) % ${n})`

const TABLES: Record<string, string> = {
  'companies.csv': `
    SELECT i AS ID,
      'Company ' || i AS TITLE,
      ['IT', 'Manufacturing', 'Retail', 'Finance', 'Logistics'][${pick(1, 5)} + 1] AS INDUSTRY,
      CAST(CAST(${pick(2, 100000000)} AS DECIMAL(18, 0)) * CAST(0.01 AS DECIMAL(3, 2)) AS DECIMAL(18, 2)) AS REVENUE,
      CAST(${pick(3, 5000)} + 1 AS INTEGER) AS EMPLOYEES,
      DATE '1990-01-01' + CAST(${pick(4, 12000)} AS INTEGER) AS FOUNDED,
      TIMESTAMP '2020-01-01 00:00:00' + to_seconds(${pick(5, 150000000)}) AS CREATED_AT
    FROM range(1, ${DEMO_ROWS.companies + 1}) t(i)`,
  'contacts.parquet': `
    SELECT i AS ID,
      ['Anna', 'Boris', 'Chen', 'Daria', 'Emil', 'Fatima', 'Georg', 'Hana'][${pick(6, 8)} + 1] AS NAME,
      ['Ivanova', 'Smith', 'Müller', 'O''Brien', 'García', 'Kowalski'][${pick(7, 6)} + 1] AS LAST_NAME,
      'contact' || i || '@example.com' AS EMAIL,
      CAST(${pick(8, DEMO_ROWS.companies)} + 1 AS BIGINT) AS COMPANY_ID,
      CASE WHEN i % 17 = 0 THEN NULL ELSE DATE '1960-01-01' + CAST(${pick(9, 15000)} AS INTEGER) END AS BIRTHDATE,
      TIMESTAMP '2021-01-01 00:00:00' + to_seconds(${pick(10, 120000000)}) AS CREATED_AT
    FROM range(1, ${DEMO_ROWS.contacts + 1}) t(i)`,
  'deals.parquet': `
    SELECT i AS ID,
      'Deal #' || i || ' ' || ['(rush)', 'renewal', 'upsell', 'new'][${pick(11, 4)} + 1] AS TITLE,
      ['NEW', 'PREPARATION', 'PROPOSAL', 'NEGOTIATION', 'WON', 'LOSE', 'APOLOGY'][${pick(12, 7)} + 1] AS STAGE_ID,
      CAST(${pick(13, DEMO_ROWS.companies)} + 1 AS BIGINT) AS COMPANY_ID,
      CAST(${pick(14, DEMO_ROWS.contacts)} + 1 AS BIGINT) AS CONTACT_ID,
      CAST(CAST(${pick(15, 100000000)} AS DECIMAL(18, 0)) * CAST(0.01 AS DECIMAL(3, 2)) AS DECIMAL(18, 2)) AS OPPORTUNITY,
      CAST(${pick(16, 101)} AS DOUBLE) / 100 AS PROBABILITY,
      CASE WHEN ${pick(17, 3)} = 0 THEN 'Y' ELSE 'N' END AS CLOSED,
      TIMESTAMP '2024-01-01 00:00:00' + to_seconds(${pick(18, 60000000)}) AS DATE_CREATE,
      CASE WHEN i % 11 = 0 THEN NULL ELSE DATE '2024-01-01' + CAST(${pick(19, 900)} AS INTEGER) END AS CLOSEDATE,
      CAST(${pick(20, 25)} + 1 AS INTEGER) AS ASSIGNED_BY_ID
    FROM range(1, ${DEMO_ROWS.deals + 1}) t(i)`,
  'activities.parquet': `
    SELECT i AS ID,
      CAST(${pick(21, DEMO_ROWS.deals)} + 1 AS BIGINT) AS DEAL_ID,
      ['CALL', 'EMAIL', 'MEETING', 'TASK'][${pick(22, 4)} + 1] AS TYPE,
      'Activity ' || i AS SUBJECT,
      CAST(${pick(23, 240)} AS INTEGER) AS DURATION_MIN,
      CAST(${pick(24, 10000)} AS DOUBLE) / 7 AS SCORE,
      to_timestamp(1735689600 + ${pick(25, 60000000)}) AS START_TIME,
      DATE '2025-01-01' + CAST(${pick(26, 700)} AS INTEGER) AS DEADLINE
    FROM range(1, ${DEMO_ROWS.activities + 1}) t(i)`,
  'exact_values.parquet': `
    SELECT * FROM (VALUES
      (1, CAST(9223372036854775807 AS BIGINT), CAST('12345678901234567.89' AS DECIMAL(20, 2)), CAST(0.1 AS DOUBLE),
        TIMESTAMP '2026-03-29 02:30:00', to_timestamp(1774744200), DATE '2026-03-29', 'max int64'),
      (2, CAST(-9223372036854775808 AS BIGINT), CAST('-0.01' AS DECIMAL(20, 2)), CAST(1e-7 AS DOUBLE),
        TIMESTAMP '2026-10-25 02:30:00', to_timestamp(1792888200), DATE '2026-10-25', 'min int64'),
      (3, CAST(9007199254740993 AS BIGINT), CAST('0.10' AS DECIMAL(20, 2)), CAST(12345678901234567.89 AS DOUBLE),
        TIMESTAMP '2026-10-25 02:30:00', to_timestamp(1792891800), DATE '2026-10-25', '2^53 + 1'),
      (4, CAST(0 AS BIGINT), CAST('0.00' AS DECIMAL(20, 2)), CAST(-0.0 AS DOUBLE),
        TIMESTAMP '2000-01-01 00:00:00', to_timestamp(946684800), DATE '2000-01-01', 'zeros'),
      (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
    ) v(ID, BIG_INT, AMOUNT, RATIO, LOCAL_TIME, EVENT_TIME, EVENT_DATE, NOTE)`
}

async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

/**
 * Writes the demo data set (a small CRM: companies, contacts, deals, activities, plus `exact_values`
 * with edge values) into `directory`, deterministically, unless this version is already there.
 * Written to a temporary folder first and renamed, so concurrent starts never see half a file.
 */
export async function writeDemoData (directory: string): Promise<string> {
  const marker = join(directory, `.b24bi-demo-v${DEMO_DATA_VERSION}`)
  if (await exists(marker)) return directory
  const staging = `${directory}.tmp-${process.pid}-${Date.now()}`
  await mkdir(staging, { recursive: true })
  const instance = await (await loadDriver('@duckdb/node-api', async () => await import('@duckdb/node-api'))).DuckDBInstance.create(':memory:', { threads: '2' })
  const connection = await instance.connect()
  try {
    for (const [file, select] of Object.entries(TABLES)) {
      const target = join(staging, file)
      const format = file.endsWith('.csv') ? sql.raw('(FORMAT csv, HEADER true)') : sql.raw('(FORMAT parquet)')
      const query = sql`COPY (${sql.raw(select)} ORDER BY 1) TO ${sql.lit(target)} ${format}`.compile(duckdbBuilder)
      await connection.run(query.sql)
    }
    await writeFile(join(staging, `.b24bi-demo-v${DEMO_DATA_VERSION}`), new Date(0).toISOString())
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
  await rm(directory, { recursive: true, force: true })
  await rename(staging, directory).catch(async (error: unknown) => {
    await rm(staging, { recursive: true, force: true })
    if (!(await exists(marker))) throw error
  })
  return directory
}
