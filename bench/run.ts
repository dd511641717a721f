import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { measureFiles } from './files.js'
import { measureResidualLike } from './residual-like.js'
import { copyThroughPsql, readAnswer, smallCall, startServer, type SmallCallLatency, type Transfer } from './measure.js'
import { BENCH_TOKEN, benchSelect, benchTable, pgConfig, seedBenchTable } from './seed.js'

interface SizeResult {
  rows: number
  copy: Transfer
  b24bi: Transfer & { peakRss: number }
  naive: (Transfer & { peakRss: number }) | undefined
}

const MB = 1024 * 1024
const PROFILE_DIR = join(tmpdir(), 'b24bi-bench-profiles')
const SMALL_CALL_SECONDS = 5
const FILES_ROWS = 1_000_000 // rows of the files adapter's Parquet and CSV file
/** The node flags the container and `npm start` serve with (a small young generation: see docs/performance.md). */
const SERVED_NODE_FLAGS = ['--max-semi-space-size=4']
const NAIVE_MAX_ROWS = 1_000_000 // the naive connector holds every row: past this it only measures swapping or a crash

function parseArgs (argv: readonly string[]): { sizes: number[], cpuProf: boolean, small: boolean, filesOnly: boolean } {
  const sizes = [100_000, 1_000_000]
  if (argv.includes('--10m')) sizes.push(10_000_000)
  const only = argv.find((arg) => arg.startsWith('--sizes='))
  return {
    sizes: only !== undefined ? only.slice('--sizes='.length).split(',').map(Number) : sizes,
    cpuProf: argv.includes('--cpu-prof'),
    small: !argv.includes('--no-small'),
    filesOnly: argv.includes('--files-only')
  }
}

const dataForm = (table: string): string => `connection%5Btoken%5D=${BENCH_TOKEN}&table=${table}`

// A fresh server per measurement: its VmHWM is then the peak of that one answer (plus start-up).
async function serverTransfer (kind: 'b24bi' | 'naive', table: string, rows: number, nodeArgs: string[]): Promise<Transfer & { peakRss: number }> {
  const server = await startServer(kind, [table], nodeArgs)
  try {
    await readAnswer(server.port, '/api/data', dataForm(table) + (kind === 'b24bi' ? '&limit=1000' : ''), 0) // warm-up
    const transfer = await readAnswer(server.port, '/api/data', dataForm(table), rows)
    return { ...transfer, peakRss: await server.peakRss() }
  } finally {
    await server.stop()
  }
}

async function measureSize (rows: number, cpuProf: boolean): Promise<SizeResult> {
  const table = benchTable(rows)
  log(`${rows} rows: COPY through psql`)
  const copy = await copyThroughPsql(benchSelect(table), rows)
  log(`${rows} rows: b24bi urlData`)
  const b24bi = await serverTransfer('b24bi', table, rows, [...SERVED_NODE_FLAGS, ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])])
  let naive
  if (rows <= NAIVE_MAX_ROWS) {
    log(`${rows} rows: naive connector`)
    naive = await serverTransfer('naive', table, rows, [])
  }
  return { rows, copy, b24bi, naive }
}

async function measureSmallCalls (tables: string[]): Promise<Record<string, SmallCallLatency>> {
  const results: Record<string, SmallCallLatency> = {}
  for (const kind of ['b24bi', 'bare'] as const) {
    const server = await startServer(kind, tables)
    try {
      for (const path of ['/api/check', '/api/table_list']) {
        log(`small calls: ${kind} ${path}`)
        await smallCall(server.port, path, dataForm(''), 1) // warm-up
        results[`${kind} ${path}`] = await smallCall(server.port, path, `connection%5Btoken%5D=${BENCH_TOKEN}`, SMALL_CALL_SECONDS)
      }
    } finally {
      await server.stop()
    }
  }
  return results
}

function log (line: string): void {
  process.stderr.write(`bench: ${line}\n`)
}

const num = (value: number): string => Math.round(value).toLocaleString('en-US')
const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) + '×' : 'n/a')
const mb = (bytes: number): string => (bytes / MB).toFixed(1)

function transferRows (results: SizeResult[]): string[][] {
  const rows: string[][] = [['rows', 'contender', 'rows/s', 'MB/s', 'seconds', 'peak RSS MB', 'complete']]
  for (const result of results) {
    const line = (name: string, transfer: Transfer, rss?: number): string[] => [num(result.rows), name, num(transfer.rowsPerSecond),
      (transfer.bytes / MB / transfer.seconds).toFixed(1), transfer.seconds.toFixed(2), rss === undefined ? '-' : mb(rss), String(transfer.complete)]
    rows.push(line('COPY via psql', result.copy))
    rows.push(line('b24bi urlData', result.b24bi, result.b24bi.peakRss))
    rows.push(result.naive === undefined ? [num(result.rows), 'naive', 'skipped (holds every row)', '', '', '', ''] : line('naive', result.naive, result.naive.peakRss))
  }
  return rows
}

function printTable (rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  for (const [index, row] of rows.entries()) {
    process.stdout.write(row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ') + '\n')
    if (index === 0) process.stdout.write(widths.map((width) => '-'.repeat(width)).join('-|-') + '\n')
  }
}

function printRatios (results: SizeResult[], small: Record<string, SmallCallLatency>): void {
  const lines: string[] = []
  for (const result of results) {
    lines.push(`${num(result.rows)} rows: urlData/COPY ${ratio(result.b24bi.rowsPerSecond, result.copy.rowsPerSecond)} (target ≥ 0.5×)` +
      (result.naive === undefined ? '' : `, urlData/naive ${ratio(result.b24bi.rowsPerSecond, result.naive.rowsPerSecond)} (target ≥ 2×)`))
  }
  const first = results[0]!
  for (const result of results.slice(1)) {
    lines.push(`b24bi peak RSS growth ${num(first.rows)} → ${num(result.rows)}: ${mb(result.b24bi.peakRss - first.b24bi.peakRss)} MB (target < 50 MB)`)
  }
  for (const path of ['/api/check', '/api/table_list']) {
    const ours = small[`b24bi ${path}`]
    const bare = small[`bare ${path}`]
    if (ours !== undefined && bare !== undefined) {
      lines.push(`${path}: b24bi p50/p99 ${ours.p50}/${ours.p99} ms, mean ${ours.mean.toFixed(2)} ms, ${num(ours.requestsPerSecond)} req/s; ` +
        `bare ${bare.p50}/${bare.p99} ms, mean ${bare.mean.toFixed(2)} ms, ${num(bare.requestsPerSecond)} req/s; ` +
        `p50 ratio ${ratio(ours.p50, bare.p50)}, mean ratio ${ratio(ours.mean, bare.mean)} (target ≤ 1.2×); errors ${ours.errors + bare.errors}`)
    }
  }
  process.stdout.write('\n' + lines.join('\n') + '\n')
}

async function printFiles (): Promise<void> {
  log('files adapter (DuckDB) over Parquet and CSV')
  process.stdout.write('\nFiles adapter (in-process DuckDB, real HTTP, a server process per format):\n')
  for (const result of await measureFiles(FILES_ROWS)) {
    process.stdout.write(`${result.format}, ${num(result.rows)} rows: whole table ${num(result.full.rowsPerSecond)} rows/s ` +
      `(${result.full.seconds.toFixed(2)} s, peak RSS ${mb(result.full.peakRss)} MB, complete ${String(result.full.complete)}); ` +
      `100-row filtered read median ${result.filtered.medianMs.toFixed(1)} ms (max ${result.filtered.maxMs.toFixed(1)}); ` +
      `table list median ${result.listMedianMs.toFixed(1)} ms\n`)
  }
}

async function main (): Promise<void> {
  const { sizes, cpuProf, small, filesOnly } = parseArgs(process.argv.slice(2))
  if (filesOnly) {
    await printFiles()
    return
  }
  const pool = new pg.Pool(pgConfig())
  for (const rows of sizes) {
    log(`seeding ${benchTable(rows)}`)
    if (await seedBenchTable(pool, rows)) log(`seeded ${rows} rows`)
  }
  await pool.end()
  const results: SizeResult[] = []
  for (const rows of sizes) results.push(await measureSize(rows, cpuProf))
  const smallCalls = small ? await measureSmallCalls(sizes.map(benchTable)) : {}
  process.stdout.write(`\nb24bi benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mb(totalmem())} MB, PostgreSQL at ${pgConfig().host}, adapter b24bi/postgres\n\n`)
  printTable(transferRows(results))
  printRatios(results, smallCalls)
  log('residual LIKE over a pushdown-free adapter')
  process.stdout.write('\nLIKE in the in-memory evaluator (pushdown-free adapter, real HTTP, /health asked every 20 ms meanwhile):\n')
  for (const result of await measureResidualLike()) {
    process.stdout.write(`~TEXT=${result.pattern} over ${num(result.rows)} rows: ${result.seconds.toFixed(2)} s, ` +
      `slowest of ${result.healthChecks} /health answers ${result.slowestHealthMs.toFixed(0)} ms (target: under 2 s, /health answered throughout)\n`)
  }
  await printFiles()
  if (cpuProf) process.stdout.write(`\nCPU profiles of the b24bi server: ${PROFILE_DIR}\n`)
}

await main()
