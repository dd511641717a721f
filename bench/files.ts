import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { readAnswer, startServer, type Transfer } from './measure.js'
import { BENCH_TOKEN } from './seed.js'

/** The files adapter over one file format: a whole read, a filtered read and a table list. */
export interface FilesResult {
  format: string
  rows: number
  full: Transfer & { peakRss: number }
  /** Median and slowest milliseconds of a filtered read answering 100 rows. */
  filtered: { medianMs: number, maxMs: number }
  /** Median milliseconds of a table list (the folder is rescanned on every call). */
  listMedianMs: number
}

const FORMATS = ['parquet', 'csv'] as const
type Format = typeof FORMATS[number]
const REPEATS = 20

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Writes `rows` rows as `bench_parquet.parquet` and `bench_csv.csv` (or only `formats`): int, text, exact decimal, date, timestamp. */
async function writeFiles (directory: string, rows: number, formats: readonly Format[] = FORMATS): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    const select = `SELECT i AS "ID", 'deal number ' || i AS "TITLE", CAST((i % 100000) / 100 AS DECIMAL(18, 2)) AS "AMOUNT",
      DATE '2020-01-01' + CAST(i % 2000 AS INTEGER) AS "DAY", TIMESTAMP '2020-01-01 00:00:00' + to_seconds(i) AS "AT" FROM range(${rows}) t(i)`
    for (const format of formats) {
      const path = join(directory, `bench_${format}.${format}`).replaceAll("'", "''")
      await connection.run(`COPY (${select}) TO '${path}' (FORMAT ${format === 'csv' ? 'csv, HEADER true' : 'parquet'})`)
    }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

const form = (table: string, extra = ''): string => `connection%5Btoken%5D=${BENCH_TOKEN}&table=${table}${extra}`

async function timed (work: () => Promise<Transfer>): Promise<number> {
  const started = performance.now()
  const transfer = await work()
  if (!transfer.complete) throw new Error('an incomplete answer')
  return performance.now() - started
}

/** Measures the files adapter (in its own process, started with `nodeArgs`) over `rows` rows of each format. */
export async function measureFiles (rows: number, nodeArgs: readonly string[]): Promise<FilesResult[]> {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-bench-files-'))
  try {
    await writeFiles(directory, rows)
    const results: FilesResult[] = []
    for (const format of FORMATS) {
      const table = `bench_${format}`
      // A fresh server per format: its VmHWM is the peak of that format's reads.
      const server = await startServer('files', [directory], nodeArgs)
      try {
        await readAnswer(server.port, '/api/data', form(table, '&limit=1000'), 1000) // warm-up: describes (and sniffs) the file
        const full = await readAnswer(server.port, '/api/data', form(table), rows)
        const filtered: number[] = []
        for (let index = 0; index < REPEATS; index++) {
          const from = Math.floor((rows - 100) * index / REPEATS)
          filtered.push(await timed(async () => await readAnswer(server.port, '/api/data', form(table, `&filter%5B%3E%3DID%5D=${from}&filter%5B%3CID%5D=${from + 100}`), 100)))
        }
        const lists: number[] = []
        for (let index = 0; index < REPEATS; index++) lists.push(await timed(async () => await readAnswer(server.port, '/api/table_list', form(''), 0).then((transfer) => ({ ...transfer, complete: true }))))
        results.push({ format, rows, full: { ...full, peakRss: await server.peakRss() }, filtered: { medianMs: median(filtered), maxMs: Math.max(...filtered) }, listMedianMs: median(lists) })
      } finally {
        await server.stop()
      }
    }
    return results
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

/** One whole read of a Parquet file of `rows` rows by a fresh server: its peak RSS, and how long it took. */
export interface FilesPeak {
  rows: number
  peakRss: number
  seconds: number
  complete: boolean
}

/**
 * The peak RSS of a whole Parquet read at each size, each by a fresh server (started with `nodeArgs`), so the
 * difference between two sizes is what the extra rows cost: nothing, when memory is flat.
 */
export async function measureFilesPeaks (sizes: readonly number[], nodeArgs: readonly string[]): Promise<FilesPeak[]> {
  const peaks: FilesPeak[] = []
  for (const rows of sizes) {
    const directory = await mkdtemp(join(tmpdir(), 'b24bi-bench-files-'))
    try {
      await writeFiles(directory, rows, ['parquet'])
      const server = await startServer('files', [directory], nodeArgs)
      try {
        await readAnswer(server.port, '/api/data', form('bench_parquet', '&limit=1000'), 1000)
        const full = await readAnswer(server.port, '/api/data', form('bench_parquet'), rows)
        peaks.push({ rows, peakRss: await server.peakRss(), seconds: full.seconds, complete: full.complete })
      } finally {
        await server.stop()
      }
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  }
  return peaks
}
