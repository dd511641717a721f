import { constants } from 'node:fs'
import { access, lstat, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api'
import { sql, type RawBuilder } from 'kysely'
import type { Logger } from '../../src/core/adapter.js'
import { ERR_QUERY_TIMEOUT } from '../../src/core/errors.js'
import type { SqlCatalog, SqlCatalogColumn, SqlDriver, SqlQueryColumn, SqlStatement, SqlStreamOptions } from '../sql/sql-driver.js'
import { duckdbBuilder, type DuckDbFolder } from './duckdb-types.js'

/** Milliseconds between the interrupts of a query being stopped (see `DuckDbDriver.stream`). */
const INTERRUPT_REPEAT_MS = 100

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

/** One served file as a view of the in-memory database, as of one version (modification time) of the file. */
interface FileView {
  code: string
  path: string
  mtimeMs: number
  /** The view's columns, in order; undefined when DuckDB could not read the file (it is then not listed). */
  columns?: Array<{ column: string, dataType: string }>
}

/**
 * A folder of files as the tables of an in-process DuckDB: each served file is a view named by its table code
 * (`exports/deals.csv` is `exports_deals`), so the shared SQL adapter reads it as any other table. `introspect`
 * rescans the folder on every call: a new file is described, a rewritten one (another modification time) described
 * anew, a removed one dropped. Reads stream DuckDB's chunks with one chunk fetched ahead, interrupted when the read
 * is aborted or its statement timeout passes.
 */
export class DuckDbDriver implements SqlDriver {
  readonly #folder: DuckDbFolder
  #instance: Promise<{ db: DuckDBInstance, spill: string | undefined }> | undefined
  /** The views as of the last scan, by lower-cased code (DuckDB's names ignore case). */
  #views = new Map<string, FileView>()
  /** Scans run one at a time: each may create and drop views. */
  #scanning: Promise<unknown> = Promise.resolve()

  constructor (folder: DuckDbFolder) {
    this.#folder = folder
  }

  /** The DuckDB instance, created on first use (so `/ready`'s probe, which only pings, never creates one). */
  async #db (): Promise<DuckDBInstance> {
    this.#instance ??= openInstance(this.#folder).catch((error: unknown) => {
      this.#instance = undefined
      throw error
    })
    return (await this.#instance).db
  }

  async #withConnection<T> (work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await (await this.#db()).connect()
    try {
      return await work(connection)
    } finally {
      connection.closeSync()
    }
  }

  /** The served files' paths relative to the directory. */
  async #names (): Promise<string[]> {
    const { directory, glob } = this.#folder
    if (glob === undefined) {
      const entries = await readdir(directory, { withFileTypes: true })
      return entries.filter((entry) => entry.isFile()).map((entry) => entry.name).sort()
    }
    return (await regularFilesUnder(directory)).filter((name) => glob.test(name)).sort()
  }

  async introspect (log?: Logger): Promise<SqlCatalog> {
    const scan = this.#scanning.then(async () => await this.#scan(log))
    this.#scanning = scan.catch(() => undefined)
    return await scan
  }

  async #scan (log: Logger | undefined): Promise<SqlCatalog> {
    // Opened first: DuckDB failing to start fails the call, rather than marking every file unreadable.
    await this.#db()
    const seen = new Map<string, FileView>()
    for (const name of await this.#names()) {
      const extension = extname(name).toLowerCase()
      if (READERS[extension] === undefined) continue
      const code = name.slice(0, name.length - extension.length).replaceAll('/', '_')
      const path = join(this.#folder.directory, name)
      // lstat: a file swapped for a symbolic link since the listing is not served either.
      const info = await lstat(path).catch(() => undefined)
      if (info === undefined || !info.isFile()) continue
      const key = code.toLowerCase()
      const other = seen.get(key)
      if (other !== undefined) {
        log?.warn({ table: other.code, file: name }, 'a second file with the same table code (letter case aside) is not served')
        continue
      }
      const known = this.#views.get(key)
      seen.set(key, known?.path === path && known.mtimeMs === info.mtimeMs ? known : await this.#describe(code, path, extension, info.mtimeMs, log))
    }
    for (const [key, view] of this.#views) {
      // A view whose file is gone, or whose new version DuckDB cannot read (a readable one replaced it already).
      if (view.columns !== undefined && seen.get(key)?.columns === undefined) {
        await this.#withConnection(async (connection) => await connection.run(sql`DROP VIEW IF EXISTS ${sql.id(view.code)}`.compile(duckdbBuilder).sql))
      }
    }
    this.#views = seen
    const columns: SqlCatalogColumn[] = [...seen.values()].flatMap((view) =>
      (view.columns ?? []).map(({ column, dataType }) => ({ schema: 'main', table: view.code, column, dataType })))
    return { defaultSchema: 'main', columns }
  }

  /** Creates (or replaces) the view of one file version and reads its columns; a file DuckDB cannot read is left out. */
  async #describe (code: string, path: string, extension: string, mtimeMs: number, log: Logger | undefined): Promise<FileView> {
    try {
      const columns = await this.#withConnection(async (connection) => {
        const sniffer = SNIFFERS[extension]
        const reader = sniffer === undefined ? READERS[extension]!(literalPath(path)) : await sniffedReader(connection, sniffer(literalPath(path)), path)
        await connection.run(sql`CREATE OR REPLACE VIEW ${sql.id(code)} AS SELECT * FROM ${reader}`.compile(duckdbBuilder).sql)
        const rows = (await connection.runAndReadAll(sql`DESCRIBE ${sql.id(code)}`.compile(duckdbBuilder).sql)).getRowObjectsJS()
        return rows.map((row) => ({ column: String(row.column_name), dataType: String(row.column_type) }))
      })
      return { code, path, mtimeMs, columns }
    } catch (error) {
      log?.warn({ table: code, err: error }, 'a file DuckDB cannot read is not served')
      return { code, path, mtimeMs }
    }
  }

  async describeQuery (query: string): Promise<SqlQueryColumn[]> {
    return await this.#withConnection(async (connection) => {
      const rows = (await connection.runAndReadAll(`DESCRIBE ${query}`)).getRowObjectsJS()
      return rows.map((row) => ({ column: String(row.column_name), dataType: String(row.column_type) }))
    })
  }

  /** The statement's rows, a chunk at a time (see `#chunks`). */
  async * stream (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<unknown[][]> {
    yield * this.#chunks(statement, options, chunkRows)
  }

  /**
   * A text export (`duckdbTextExport`: one VARCHAR a row, already in the text form) as bytes, a chunk at a time:
   * each row's text and its newline, one JS string per row instead of a value per cell.
   */
  async * streamText (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<Uint8Array> {
    yield * this.#chunks(statement, options, (chunk) => {
      const lines = chunk.getColumnVector(0)
      const rows = chunk.rowCount
      let text = ''
      for (let index = 0; index < rows; index++) text += `${lines.getItem(index) as string}\n`
      return Buffer.from(text)
    })
  }

  /**
   * Streams DuckDB's chunks (2,048 rows each), each converted by `convert`: the next chunk is fetched while this one
   * is formatted and written, DuckDB working in its own threads. An abort or the statement timeout interrupts the query.
   */
  async * #chunks<T> (statement: SqlStatement, options: SqlStreamOptions, convert: (chunk: DuckDBDataChunk) => T): AsyncGenerator<T> {
    const { signal, timeoutMs } = options
    const connection = await (await this.#db()).connect()
    let timedOut = false
    let repeating: NodeJS.Timeout | undefined
    const interrupt = (): void => {
      connection.interrupt()
      // An interrupt that lands between two of the query's tasks can be lost: repeated until the read ends.
      repeating ??= setInterval(() => connection.interrupt(), INTERRUPT_REPEAT_MS)
    }
    const timer = setTimeout(() => {
      timedOut = true
      interrupt()
    }, timeoutMs)
    signal.addEventListener('abort', interrupt, { once: true })
    let next: Promise<DuckDBDataChunk | null> | undefined
    try {
      const result = await connection.stream(statement.sql, statement.parameters as never[])
      next = result.fetchChunk()
      while (!signal.aborted) {
        const chunk = await next
        if (chunk === null || chunk.rowCount === 0) {
          next = undefined
          return
        }
        next = result.fetchChunk()
        yield convert(chunk)
      }
    } catch (error) {
      if (timedOut && !signal.aborted) throw new ERR_QUERY_TIMEOUT(String(timeoutMs / 1000), { cause: error })
      throw error
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', interrupt)
      if (next !== undefined) {
        // The reader stopped early (a limit reached, an abort) with a chunk in flight: stop it, let it settle, then close.
        interrupt()
        await next.catch(() => null)
      }
      clearInterval(repeating)
      connection.closeSync()
    }
  }

  /** The folder can be listed (no DuckDB instance is created for it). */
  async ping (): Promise<void> {
    await access(this.#folder.directory, constants.R_OK | constants.X_OK)
  }

  async close (): Promise<void> {
    const instance = this.#instance
    this.#instance = undefined
    this.#views = new Map()
    const opened = await instance?.catch(() => undefined)
    if (opened === undefined) return
    opened.db.closeSync()
    if (opened.spill !== undefined) await rm(opened.spill, { recursive: true, force: true })
  }
}

/**
 * A chunk's rows, each an array of the chunk's width filled column by column: the values `chunk.getRows()` gives,
 * without its row building. That builds each row with `[]` and a push per value inside shared helpers whose
 * allocation sites V8 pretenures once the young generation is at its largest (a busy server): from then on every
 * row array was allocated in the old generation, kept its strings alive past each scavenge, and became old garbage
 * that only a full collection frees. Over the demo's tables that was about 150 MB of RSS.
 */
function chunkRows (chunk: DuckDBDataChunk): unknown[][] {
  const width = chunk.columnCount
  const columns = Array.from({ length: width }, (_, index) => chunk.getColumnVector(index))
  const rows = new Array<unknown[]>(chunk.rowCount)
  for (let index = 0; index < rows.length; index++) {
    const row = new Array<unknown>(width)
    for (let column = 0; column < width; column++) row[column] = columns[column]!.getItem(index)
    rows[index] = row
  }
  return rows
}

/**
 * An in-memory DuckDB with the folder's settings. What does not fit `memory_limit` (a large sort, say) spills into a
 * folder of its own under the system's temporary folder, removed on close: never DuckDB's default `.tmp` in the
 * server's working directory, which may be read-only (a container) or shared by several servers. Without a writable
 * temporary folder nothing spills (such a read fails, coded, at the memory limit).
 */
async function openInstance (folder: DuckDbFolder): Promise<{ db: DuckDBInstance, spill: string | undefined }> {
  const spill = await mkdtemp(join(tmpdir(), 'b24bi-duckdb-')).catch(() => undefined)
  try {
    const db = await DuckDBInstance.create(':memory:', {
      threads: String(folder.threads),
      memory_limit: `${folder.memoryLimitMegabytes}MB`,
      temp_directory: spill ?? '',
      // Memory a read used goes back to the system when it ends, rather than staying with the process.
      allocator_flush_threshold: `${folder.allocatorFlushMegabytes}MB`,
      allocator_bulk_deallocation_flush_threshold: `${folder.allocatorFlushMegabytes}MB`
    })
    return { db, spill }
  } catch (error) {
    if (spill !== undefined) await rm(spill, { recursive: true, force: true })
    throw error
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
