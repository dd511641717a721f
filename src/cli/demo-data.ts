import { randomUUID } from 'node:crypto'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { loadDriver } from '../util/driver-load.js'
import { sql } from 'kysely'
import { duckdbBuilder } from '../../adapters/files/duckdb-types.js'
import { currentUid } from './demo-cache.js'
import { verifyManifest, writeManifest } from './demo-manifest.js'

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

/** The data folder's name inside the cache folder. */
export const DEMO_FOLDER = `demo-v${DEMO_DATA_VERSION}`

const FILES = Object.keys(TABLES)

// Renaming a folder onto a non-empty one (or onto a file or symlink) fails with one of these.
const TARGET_TAKEN = new Set(['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EPERM'])

/** Writes every demo table into `directory` (a fresh, empty folder), deterministically. */
async function generate (directory: string): Promise<void> {
  const instance = await (await loadDriver('@duckdb/node-api', async () => await import('@duckdb/node-api'))).DuckDBInstance.create(':memory:', { threads: '2' })
  const connection = await instance.connect()
  try {
    for (const [file, select] of Object.entries(TABLES)) {
      const target = join(directory, file)
      const format = file.endsWith('.csv') ? sql.raw('(FORMAT csv, HEADER true)') : sql.raw('(FORMAT parquet)')
      const query = sql`COPY (${sql.raw(select)} ORDER BY 1) TO ${sql.lit(target)} ${format}`.compile(duckdbBuilder)
      await connection.run(query.sql)
    }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
  await writeManifest(directory, DEMO_DATA_VERSION, FILES)
}

/**
 * Renames the generated `staging` folder to `target`. When `target` is taken: a valid set there (another process
 * was first) is kept; anything else is moved aside (so no reader ever sees it half-deleted), removed, and the
 * rename retried.
 */
async function install (staging: string, target: string, uid: number | undefined): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(staging, target)
      return
    } catch (error) {
      if (!TARGET_TAKEN.has((error as NodeJS.ErrnoException).code ?? '') || attempt === 5) throw error
    }
    if (await verifyManifest(target, DEMO_DATA_VERSION, FILES, uid)) return
    const aside = join(dirname(target), `.${DEMO_FOLDER}.old-${randomUUID()}`)
    await rename(target, aside).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'ENOENT') throw error })
    await rm(aside, { recursive: true, force: true })
  }
}

/**
 * The demo data set (a small CRM: companies, contacts, deals, activities, plus `exact_values` with edge values)
 * in `cacheFolder` (see `openCacheFolder`), as `demo-v<version>`: used as it is when its manifest proves every file
 * (SHA-256) and that only this user may write it, else generated again, deterministically. Generated in a fresh
 * temporary folder beside it and renamed into place, so concurrent starts never see half a set and end with one.
 * Returns the data folder.
 */
export async function prepareDemoData (cacheFolder: string, uid = currentUid()): Promise<string> {
  const target = join(cacheFolder, DEMO_FOLDER)
  if (await verifyManifest(target, DEMO_DATA_VERSION, FILES, uid)) return target
  const staging = await mkdtemp(join(cacheFolder, `.${DEMO_FOLDER}.tmp-`))
  try {
    await generate(staging)
    await install(staging, target, uid)
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  return target
}
