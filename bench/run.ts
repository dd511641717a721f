import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { BENCH_ENGINES, ENGINES, type BenchEngine, type BenchEngineName } from './engines.js'
import { measureFiles, measureFilesPeaks } from './files.js'
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
const SERVED_NODE_FLAGS = ['--max-semi-space-size=8']
const NAIVE_MAX_ROWS = 1_000_000 // the naive connector holds every row: past this it only measures swapping or a crash
const ENGINE_ROWS = 1_000_000 // rows of each engine's table in the per-engine comparison
const DEADLINE_SECONDS = 55 // the answer's deadline: what fits in it is rows/s × this

interface Args {
  sizes: number[]
  cpuProf: boolean
  small: boolean
  filesOnly: boolean
  /** `--10m`: 10M rows too (PostgreSQL's sizes, and the files adapter's peak RSS from 1M to 10M rows). */
  tenMillion: boolean
  /** `--engine=clickhouse,mysql`: only these engines' comparison. Undefined: the whole benchmark. */
  engines: BenchEngineName[] | undefined
  engineRows: number
}

function parseArgs (argv: readonly string[]): Args {
  const sizes = [100_000, 1_000_000]
  if (argv.includes('--10m')) sizes.push(10_000_000)
  const value = (name: string): string | undefined => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3)
  const only = value('sizes')
  const engines = value('engine')?.split(',')
  const unknown = engines?.filter((name) => !(BENCH_ENGINES as readonly string[]).includes(name)) ?? []
  if (unknown.length > 0) throw new Error(`unknown --engine ${unknown.join(', ')}: one or more of ${BENCH_ENGINES.join(', ')}`)
  return {
    sizes: only !== undefined ? only.split(',').map(Number) : sizes,
    cpuProf: argv.includes('--cpu-prof'),
    small: !argv.includes('--no-small'),
    filesOnly: argv.includes('--files-only'),
    tenMillion: argv.includes('--10m'),
    engines: engines as BenchEngineName[] | undefined,
    engineRows: Number(value('engine-rows') ?? ENGINE_ROWS)
  }
}

const dataForm = (table: string): string => `connection%5Btoken%5D=${BENCH_TOKEN}&table=${table}`

type ServerTransfer = Transfer & { peakRss: number, cpuSeconds: number }

// A fresh server per measurement: its VmHWM is then the peak of that one answer (plus start-up).
async function serverTransfer (kind: string, target: string, rows: number, nodeArgs: string[], serverArgs: string[] = [], table = target): Promise<ServerTransfer> {
  const server = await startServer(kind, [target], nodeArgs, serverArgs)
  try {
    await readAnswer(server.port, '/api/data', dataForm(table) + (kind === 'naive' ? '' : '&limit=1000'), 0) // warm-up
    const cpuBefore = await server.cpuSeconds()
    const transfer = await readAnswer(server.port, '/api/data', dataForm(table), rows)
    return { ...transfer, peakRss: await server.peakRss(), cpuSeconds: await server.cpuSeconds() - cpuBefore }
  } finally {
    await server.stop()
  }
}

/** One engine's table read by its own export and by b24bi (both paths where the source writes the rows). */
interface EngineResult {
  engine: BenchEngine
  rows: number
  exported: Transfer
  paths: Array<{ name: string, transfer: ServerTransfer }>
}

async function measureEngine (engine: BenchEngine, rows: number): Promise<EngineResult> {
  log(`${engine.name}: seeding ${rows} rows`)
  if (await engine.seed(rows)) log(`${engine.name}: seeded`)
  log(`${engine.name}: ${engine.exportName}`)
  const exported = await engine.exportTable(rows)
  const kind = engine.name === 'postgres' ? 'b24bi' : engine.name === 'duckdb' ? 'files' : engine.name
  const paths: EngineResult['paths'] = []
  log(`${engine.name}: b24bi urlData`)
  paths.push({ name: engine.writesRows ? 'b24bi, source writes' : 'b24bi', transfer: await serverTransfer(kind, engine.target(rows), rows, SERVED_NODE_FLAGS, [], engine.table(rows)) })
  if (engine.writesRows) {
    log(`${engine.name}: b24bi urlData, row path`)
    paths.push({ name: 'b24bi, row path', transfer: await serverTransfer(kind, engine.target(rows), rows, SERVED_NODE_FLAGS, ['rows'], engine.table(rows)) })
  }
  return { engine, rows, exported, paths }
}

function printEngines (results: EngineResult[]): void {
  const lines: string[][] = [['engine', 'rows', 'reader', 'rows/s', 'vs export', 'seconds', 'server CPU s', 'peak RSS MB', 'bytes/row', `rows in ${DEADLINE_SECONDS} s`, 'complete']]
  for (const { engine, rows, exported, paths } of results) {
    lines.push([engine.name, num(rows), engine.exportName, num(exported.rowsPerSecond), '1.00×', exported.seconds.toFixed(2), '-', '-',
      (exported.bytes / rows).toFixed(1), num(exported.rowsPerSecond * DEADLINE_SECONDS), String(exported.complete)])
    for (const { name, transfer } of paths) {
      lines.push([engine.name, num(rows), name, num(transfer.rowsPerSecond), ratio(transfer.rowsPerSecond, exported.rowsPerSecond),
        transfer.seconds.toFixed(2), transfer.cpuSeconds.toFixed(2), mb(transfer.peakRss), (transfer.bytes / rows).toFixed(1),
        num(transfer.rowsPerSecond * DEADLINE_SECONDS), String(transfer.complete)])
    }
  }
  process.stdout.write(`\nPer engine (${num(results[0]?.rows ?? 0)} rows × 8 columns: bigint, int, decimal(14,2), double, text, text, date, timestamp; ` +
    `a fresh b24bi server per read (node ${SERVED_NODE_FLAGS.join(' ')}), real HTTP; ` + '"vs export" is rows/s against the engine\'s own export in this run; ' +
    'server CPU is the b24bi process\'s user + system time for the read):\n')
  printTable(lines)
}

async function runEngines (names: readonly BenchEngineName[], rows: number): Promise<void> {
  const results: EngineResult[] = []
  for (const name of names) results.push(await measureEngine(ENGINES[name], rows))
  printEngines(results)
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

async function printFiles (tenMillion: boolean): Promise<void> {
  log('files adapter (DuckDB) over Parquet and CSV')
  process.stdout.write(`\nFiles adapter (in-process DuckDB, real HTTP, a server process per format, node ${SERVED_NODE_FLAGS.join(' ')}):\n`)
  for (const result of await measureFiles(FILES_ROWS, SERVED_NODE_FLAGS)) {
    process.stdout.write(`${result.format}, ${num(result.rows)} rows: whole table ${num(result.full.rowsPerSecond)} rows/s ` +
      `(${result.full.seconds.toFixed(2)} s, peak RSS ${mb(result.full.peakRss)} MB, complete ${String(result.full.complete)}); ` +
      `100-row filtered read median ${result.filtered.medianMs.toFixed(1)} ms (max ${result.filtered.maxMs.toFixed(1)}); ` +
      `table list median ${result.listMedianMs.toFixed(1)} ms\n`)
  }
  if (!tenMillion) return
  log('files adapter: peak RSS of a whole Parquet read at 1M and 10M rows')
  const [small, large] = await measureFilesPeaks([FILES_ROWS, 10_000_000], SERVED_NODE_FLAGS)
  for (const peak of [small!, large!]) {
    process.stdout.write(`parquet, ${num(peak.rows)} rows, a fresh server: peak RSS ${mb(peak.peakRss)} MB (${peak.seconds.toFixed(1)} s, complete ${String(peak.complete)})\n`)
  }
  process.stdout.write(`files adapter peak RSS growth ${num(small!.rows)} → ${num(large!.rows)}: ${mb(large!.peakRss - small!.peakRss)} MB (target < 50 MB)\n`)
}

async function main (): Promise<void> {
  const { sizes, cpuProf, small, filesOnly, tenMillion, engines, engineRows } = parseArgs(process.argv.slice(2))
  if (filesOnly) {
    await printFiles(tenMillion)
    return
  }
  if (engines !== undefined) {
    process.stdout.write(`b24bi benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}\n`)
    await runEngines(engines, engineRows)
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
  process.stdout.write(`\nb24bi benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mb(totalmem())} MB, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}, PostgreSQL at ${pgConfig().host}, adapter b24bi/postgres\n\n`)
  printTable(transferRows(results))
  printRatios(results, smallCalls)
  log('residual LIKE over a pushdown-free adapter')
  process.stdout.write('\nLIKE in the in-memory evaluator (pushdown-free adapter, real HTTP, /health asked every 20 ms meanwhile):\n')
  for (const result of await measureResidualLike()) {
    process.stdout.write(`~TEXT=${result.pattern} over ${num(result.rows)} rows: ${result.seconds.toFixed(2)} s, ` +
      `slowest of ${result.healthChecks} /health answers ${result.slowestHealthMs.toFixed(0)} ms (target: under 2 s, /health answered throughout)\n`)
  }
  await printFiles(tenMillion)
  await runEngines(BENCH_ENGINES, engineRows)
  if (cpuProf) process.stdout.write(`\nCPU profiles of the b24bi server: ${PROFILE_DIR}\n`)
}

await main()
