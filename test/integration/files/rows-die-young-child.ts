// Run by rows-die-young.test.ts in a process whose young generation is fixed at its largest size (V8 makes its
// pretenuring decisions only then): streams a Parquet file through the DuckDB driver and prints, as one JSON line,
// how many bytes reached the old generation meanwhile, whether promoted by a scavenge or allocated there directly.
import { join } from 'node:path'
import v8, { type HeapSpaceInfo, type HeapSpaceStatistics } from 'node:v8'
import { DuckDBInstance } from '@duckdb/node-api'
import pino from 'pino'
import { DuckDbDriver } from '../../../adapters/files/duckdb-driver.js'

const [directory, count] = process.argv.slice(2) as [string, string]

const instance = await DuckDBInstance.create(':memory:')
const writer = await instance.connect()
await writer.run(`COPY (SELECT i AS ID, 'row number ' || i || ' of the table' AS TITLE, TIMESTAMP '2024-01-01' + to_seconds(i) AS STAMP
  FROM range(${Number(count)}) t(i)) TO '${join(directory, 'rows.parquet').replaceAll("'", "''")}' (FORMAT parquet)`)
writer.closeSync()
instance.closeSync()

const driver = new DuckDbDriver({ directory, threads: 1, memoryLimitMegabytes: 64, allocatorFlushMegabytes: 8 })
await driver.introspect()
const oldSpace = (spaces: readonly HeapSpaceInfo[]): number => spaces.find((space) => space.space_name === 'old_space')?.space_used_size ?? 0
const profiled = (spaces: readonly HeapSpaceStatistics[]): number => spaces.find((space) => space.spaceName === 'old_space')?.spaceUsedSize ?? 0

const profiler = new v8.GCProfiler()
const before = oldSpace(v8.getHeapSpaceStatistics())
profiler.start()
let rows = 0
// The whole rows, as the runtime formats them: a TIMESTAMP travels as text (a string of more than 12 bytes).
const statement = { sql: 'SELECT ID, TITLE, CAST(STAMP AS VARCHAR) FROM rows', parameters: [] }
for await (const batch of driver.stream(statement, { signal: new AbortController().signal, timeoutMs: 120_000, batchSize: 1000, log: pino({ level: 'silent' }) })) rows += batch.length
const { statistics } = profiler.stop()
const after = oldSpace(v8.getHeapSpaceStatistics())
await driver.close()

// What came into the old generation: the growth between collections (allocated there directly) plus what each
// scavenge promoted; what a full collection frees is not subtracted.
let inflow = 0
let last = before
for (const gc of statistics) {
  const start = profiled(gc.beforeGC.heapSpaceStatistics)
  const end = profiled(gc.afterGC.heapSpaceStatistics)
  inflow += Math.max(0, start - last) + (gc.gcType === 'Scavenge' ? Math.max(0, end - start) : 0)
  last = end
}
inflow += Math.max(0, after - last)
process.stdout.write(JSON.stringify({ rows, oldGenerationMb: inflow / 2 ** 20 }) + '\n')
