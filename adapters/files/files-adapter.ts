import { lstat, readdir, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api'
import { sql, type RawBuilder } from 'kysely'
import { Adapter, type Capabilities, type ReadPlan, type RequestContext, type Row, type Setting } from '../../src/adapter.js'
import type { FieldInfo, TableInfo } from '../../src/field-types.js'
import { checkOptions } from '../../src/strict-options.js'
import { matchesAny } from '../../src/secrets.js'
import { loadDriver } from '../../src/driver-load.js'
import { compileFilter } from '../sql/compile-filter.js'
import { duckdbBuilder, duckdbFilterSyntax } from './duckdb-engine.js'
import { duckDbReading, type DuckDbColumnReading } from './duckdb-types.js'
import { globToRegExp } from '../../src/glob.js'
import { FILES_DEFAULTS, FilesOptionsSchema, type FilesAdapterOptions } from './files-options.js'
import { ReadGate } from './read-gate.js'

export type { FilesAdapterOptions } from './files-options.js'

/**
 * A path DuckDB reads as itself: it expands `*`, `?` and `[...]` anywhere in a file path, so a file named `p*.csv`
 * would also serve `public.csv`. Each of them becomes a one-character class (`[*]`), which matches only itself.
 */
function literalPath (path: string): string {
  return path.replace(/[*?[]/g, '[$&]')
}

/**
 * Every regular file under `root`, as `/`-separated paths relative to it. Symbolic links are neither followed nor
 * served: a link to a folder can loop (`loop -> .`) or lead out of the directory.
 */
async function regularFilesUnder (root: string, relative = ''): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
    const name = relative === '' ? entry.name : `${relative}/${entry.name}`
    if (entry.isDirectory()) found.push(...await regularFilesUnder(root, name))
    else if (entry.isFile()) found.push(name)
  }
  return found
}

/** The file formats served, by extension, and how DuckDB reads each. */
const READERS: Record<string, (path: string) => RawBuilder<unknown>> = {
  '.csv': (path) => sql`read_csv(${sql.lit(path)}, header = true)`,
  '.tsv': (path) => sql`read_csv(${sql.lit(path)}, header = true, delim = '\t')`,
  '.parquet': (path) => sql`read_parquet(${sql.lit(path)})`,
  '.json': (path) => sql`read_json_auto(${sql.lit(path)})`,
  '.ndjson': (path) => sql`read_json_auto(${sql.lit(path)}, format = 'newline_delimited')`,
  '.jsonl': (path) => sql`read_json_auto(${sql.lit(path)}, format = 'newline_delimited')`
}

/**
 * CSV and TSV are sniffed by DuckDB (dialect and column types) on every read_csv call: hundreds of milliseconds
 * per query even on a small file. They are sniffed once per file version instead (`sniff_csv`, the same
 * detection), and read with the detected options spelled out (`auto_detect = false`): a few milliseconds.
 */
const SNIFFERS: Record<string, (path: string) => RawBuilder<unknown>> = {
  '.csv': (path) => sql`sniff_csv(${sql.lit(path)}, header = true)`,
  '.tsv': (path) => sql`sniff_csv(${sql.lit(path)}, header = true, delim = '\t')`
}

interface FileTable {
  code: string
  path: string
  /** The table function that reads the file; for CSV and TSV replaced by the sniffed one on first use. */
  reader: RawBuilder<unknown>
  sniffer?: RawBuilder<unknown>
  mtimeMs: number
  columns?: Array<FieldInfo & { reading: DuckDbColumnReading }>
}

/**
 * Serves a folder of CSV, TSV, Parquet, JSON and NDJSON files as tables through in-process DuckDB:
 * the table list is the files (rescanned on every call, so new files appear), descriptions come from
 * DuckDB's type inference, and select, filter and limit are pushed down into DuckDB.
 */
export class FilesAdapter extends Adapter {
  override readonly settings: readonly Setting[]
  readonly #options: FilesAdapterOptions
  #instance: DuckDBInstance | undefined
  readonly #tables = new Map<string, FileTable>()
  readonly #glob: RegExp | undefined
  readonly #gate: ReadGate
  readonly #tokens: readonly string[]

  constructor (options: FilesAdapterOptions) {
    super()
    checkOptions(FilesOptionsSchema, options)
    this.#options = structuredClone(options)
    this.#glob = options.glob === undefined ? undefined : globToRegExp(options.glob)
    this.#tokens = [...(options.token === undefined ? [] : [options.token]), ...(options.tokens ?? [])]
    this.settings = this.#tokens.length === 0 ? [] : [{ code: 'token', name: 'Access token', type: 'STRING', secret: true }]
    this.#gate = new ReadGate(options.concurrentReads ?? FILES_DEFAULTS.concurrentReads)
  }

  override async init (): Promise<void> {
    const { DuckDBInstance } = await loadDriver('@duckdb/node-api', async () => await import('@duckdb/node-api'))
    this.#instance = await DuckDBInstance.create(':memory:', {
      threads: String(this.#options.threads ?? FILES_DEFAULTS.threads),
      memory_limit: `${this.#options.memoryLimitMegabytes ?? FILES_DEFAULTS.memoryLimitMegabytes}MB`,
      // Memory a read used goes back to the system when it ends, rather than staying with the process.
      allocator_flush_threshold: `${FILES_DEFAULTS.allocatorFlushMegabytes}MB`,
      allocator_bulk_deallocation_flush_threshold: `${FILES_DEFAULTS.allocatorFlushMegabytes}MB`
    })
  }

  override async check ({ connection }: RequestContext): Promise<boolean> {
    return this.#tokens.length === 0 || matchesAny(connection.token ?? '', this.#tokens)
  }

  /** The supported files, as paths relative to the directory. */
  async #files (): Promise<string[]> {
    if (this.#glob === undefined) {
      const entries = await readdir(this.#options.directory, { withFileTypes: true })
      return entries.filter((entry) => entry.isFile()).map((entry) => entry.name)
    }
    return (await regularFilesUnder(this.#options.directory)).filter((name) => this.#glob!.test(name))
  }

  async #scan (): Promise<Map<string, FileTable>> {
    const seen = new Set<string>()
    for (const name of await this.#files()) {
      const reader = READERS[extname(name).toLowerCase()]
      if (reader === undefined) continue
      const code = name.slice(0, name.length - extname(name).length).replaceAll('/', '_')
      const path = join(this.#options.directory, name)
      // lstat: a file swapped for a symbolic link since the listing is not served either.
      const info = await lstat(path).catch(() => undefined)
      if (info === undefined || !info.isFile()) continue
      const { mtimeMs } = info
      seen.add(code)
      const known = this.#tables.get(code)
      if (known?.path === path && known.mtimeMs === mtimeMs) continue
      const sniffer = SNIFFERS[extname(name).toLowerCase()]
      const literal = literalPath(path)
      this.#tables.set(code, { code, path, reader: reader(literal), mtimeMs, ...(sniffer === undefined ? {} : { sniffer: sniffer(literal) }) })
    }
    for (const code of this.#tables.keys()) if (!seen.has(code)) this.#tables.delete(code)
    return this.#tables
  }

  async listTables (): Promise<TableInfo[]> {
    const tables = await this.#scan()
    return [...tables.values()].sort((a, b) => a.code.localeCompare(b.code)).map((table) => ({ code: table.code, title: table.code }))
  }

  async #columns (tableCode: string): Promise<FileTable['columns']> {
    let table = this.#tables.get(tableCode)
    // A file rewritten since it was last seen is scanned again, so its description is never stale.
    const current = table === undefined ? undefined : await stat(table.path).catch(() => undefined)
    if (table === undefined || current?.mtimeMs !== table.mtimeMs) table = (await this.#scan()).get(tableCode)
    if (table === undefined) return undefined
    if (table.columns !== undefined) return table.columns
    const overrides = this.#options.types?.[tableCode] ?? {}
    const described = table
    const rows = await this.#withConnection(async (connection) => {
      if (described.sniffer !== undefined) described.reader = await sniffedReader(connection, described.sniffer, described.path)
      const query = sql`DESCRIBE SELECT * FROM ${described.reader}`.compile(duckdbBuilder)
      return (await connection.runAndReadAll(query.sql)).getRowObjectsJS()
    })
    table.columns = rows.map((row) => {
      const code = String(row.column_name)
      const reading = duckDbReading(String(row.column_type))
      const type = overrides[code] ?? reading.type
      return { code, name: code, type, zoned: reading.zoned, reading: type === reading.type ? reading : { type, zoned: false, read: 'text' } }
    })
    return table.columns
  }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    const columns = await this.#columns(table)
    return columns?.map(({ reading: _reading, ...field }) => field)
  }

  override capabilities (): Capabilities {
    return { limit: true, filter: true, concurrentReads: this.#options.concurrentReads ?? FILES_DEFAULTS.concurrentReads }
  }

  async * readRows (plan: ReadPlan): AsyncGenerator<Row[]> {
    // Described first: a file changed since is scanned (and sniffed) again, and `table` is then its new entry.
    const columns = new Map((await this.#columns(plan.table))!.map((column) => [column.code, column]))
    const table = this.#tables.get(plan.table)!
    const db = duckdbBuilder
    let inner = db.selectFrom(sql`${table.reader}`.as('source')).selectAll()
    if (plan.filter !== undefined) inner = inner.where(compileFilter(plan.filter, duckdbFilterSyntax, new Map(plan.tableFields.map((field) => [field.code, field]))))
    if (plan.limit !== undefined) inner = inner.limit(plan.limit)
    const selections = plan.fields.map((field, index) => {
      const column = columns.get(field.source ?? field.code)!
      const ref = sql.id(column.code)
      const alias = `c${index}`
      if (column.reading.read === 'epoch_ms') return sql`epoch_ms(${ref})`.as(alias)
      if (column.reading.read === 'text') return sql`CAST(${ref} AS VARCHAR)`.as(alias)
      return ref.as(alias)
    })
    const query = db.selectFrom(inner.as('filtered')).select(selections).compile()
    const epochColumns = plan.fields.map((field, index) => columns.get(field.source ?? field.code)!.reading.read === 'epoch_ms' ? index : -1).filter((index) => index >= 0)
    const leave = await this.#gate.enter(plan.signal)
    let connection: DuckDBConnection
    try {
      connection = await this.#connect()
    } catch (error) {
      leave()
      throw error
    }
    const onAbort = (): void => connection.interrupt()
    let next: Promise<DuckDBDataChunk | null> | undefined
    plan.signal.addEventListener('abort', onAbort, { once: true })
    try {
      const result = await connection.stream(query.sql, query.parameters as never[])
      // The next chunk is fetched while this one is formatted and written: DuckDB works in its own threads.
      next = result.fetchChunk()
      while (!plan.signal.aborted) {
        const chunk = await next
        if (chunk === null || chunk.rowCount === 0) return
        next = result.fetchChunk()
        const rows = chunk.getRows() as unknown[][]
        if (epochColumns.length > 0) {
          for (const row of rows) for (const index of epochColumns) row[index] = row[index] === null ? null : new Date(Number(row[index]))
        }
        yield rows
      }
    } catch (error) {
      throw plan.signal.aborted ? plan.signal.reason : error
    } finally {
      plan.signal.removeEventListener('abort', onAbort)
      // A prefetched chunk may still be in flight when the reader stops early: let it settle before closing.
      await next?.catch(() => null)
      connection.closeSync()
      leave()
    }
  }

  async #connect (): Promise<DuckDBConnection> {
    return await this.#instance!.connect()
  }

  async #withConnection<T> (work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.#connect()
    try {
      return await work(connection)
    } finally {
      connection.closeSync()
    }
  }

  override async close (): Promise<void> {
    this.#instance?.closeSync()
    this.#instance = undefined
  }
}

/** What `sniff_csv` detected (its row as JSON values). */
interface SniffedCsv {
  Delimiter: string
  Quote: string
  Escape: string
  NewLineDelimiter: string
  Comment: string
  SkipRows: number
  HasHeader: boolean
  Columns: Array<{ name: string, type: string }>
  DateFormat: string | null
  TimestampFormat: string | null
}

/**
 * The read_csv call with every option `sniff_csv` detected spelled out (`auto_detect = false`), each value a
 * literal of ours. Not its `Prompt`: that text holds the file path and the header's column names unescaped (a
 * quote in either broke the SQL, and a header could inject some) and the path unglobbed (`p*.csv` read as a glob).
 */
async function sniffedReader (connection: DuckDBConnection, sniffer: RawBuilder<unknown>, path: string): Promise<RawBuilder<unknown>> {
  const query = sql`SELECT * EXCLUDE (Prompt) FROM ${sniffer}`.compile(duckdbBuilder)
  const found = (await connection.runAndReadAll(query.sql)).getRowObjectsJson()[0] as unknown as SniffedCsv | undefined
  if (found === undefined || !Array.isArray(found.Columns)) throw new Error(`DuckDB's CSV sniffer detected nothing in ${path}`)
  const text = (value: string): string => value === '(empty)' ? '' : value
  const options = [
    sql`auto_detect = false`,
    sql`delim = ${sql.lit(text(found.Delimiter))}`,
    sql`quote = ${sql.lit(text(found.Quote))}`,
    sql`escape = ${sql.lit(text(found.Escape))}`,
    sql`new_line = ${sql.lit(text(found.NewLineDelimiter))}`,
    sql`comment = ${sql.lit(text(found.Comment))}`,
    sql`skip = ${sql.lit(Number(found.SkipRows))}`,
    sql`header = ${sql.lit(found.HasHeader === true)}`,
    sql`columns = {${sql.join(found.Columns.map(({ name, type }) => sql`${sql.lit(String(name))}: ${sql.lit(String(type))}`))}}`,
    ...(found.DateFormat === null || found.DateFormat === '' ? [] : [sql`dateformat = ${sql.lit(found.DateFormat)}`]),
    ...(found.TimestampFormat === null || found.TimestampFormat === '' ? [] : [sql`timestampformat = ${sql.lit(found.TimestampFormat)}`])
  ]
  return sql`read_csv(${sql.lit(literalPath(path))}, ${sql.join(options)})`
}
