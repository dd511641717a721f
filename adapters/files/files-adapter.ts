import { pathToFileURL } from 'node:url'
import type { Capabilities } from '../../src/core/adapter.js'
import { checkOptions, globToRegExp, loadDriver } from '../../src/adapter-kit/index.js'
import { SqlAdapter } from '../sql/sql-adapter.js'
import { duckdbEngine } from './duckdb-engine.js'
import { FILES_DEFAULTS, FilesOptionsSchema, type FilesAdapterOptions } from './files-options.js'

export type { FilesAdapterOptions } from './files-options.js'

/**
 * Serves a folder of CSV, TSV, Parquet, JSON and NDJSON files as tables: the shared SQL adapter over in-process
 * DuckDB, each file a view. The folder is rescanned on every call (new files appear, removed ones disappear, a
 * rewritten one is described anew), descriptions come from DuckDB's type inference, and select, filter and limit
 * are pushed down into DuckDB.
 *
 * @example
 * new FilesAdapter({ directory: '/srv/exports', glob: '**\/*.{csv,parquet}', token: process.env.CONNECTOR_TOKEN })
 */
export class FilesAdapter extends SqlAdapter {
  readonly #concurrentReads: number

  constructor (options: FilesAdapterOptions) {
    checkOptions(FilesOptionsSchema, options)
    const concurrentReads = options.concurrentReads ?? FILES_DEFAULTS.concurrentReads
    const tokens = [...(options.token === undefined ? [] : [options.token]), ...(options.tokens ?? [])]
    super(duckdbEngine({
      directory: options.directory,
      ...(options.glob === undefined ? {} : { glob: globToRegExp(options.glob) }),
      threads: options.threads ?? FILES_DEFAULTS.threads,
      memoryLimitMegabytes: options.memoryLimitMegabytes ?? FILES_DEFAULTS.memoryLimitMegabytes,
      allocatorFlushMegabytes: FILES_DEFAULTS.allocatorFlushMegabytes
    }), {
      url: pathToFileURL(options.directory).href,
      // Without a token: public data, no settings, every caller accepted.
      ...(tokens.length === 0 ? { public: true } : { tokens }),
      ...(options.types === undefined ? {} : { types: options.types }),
      fieldCodes: 'as-is',
      // Every call looks at the folder again: scanning it is a directory listing, and only changed files are described.
      catalogSeconds: 0,
      // One connection beyond the reads the runtime admits, so a table list or a description never waits for a read.
      poolSize: concurrentReads + 1
    })
    this.#concurrentReads = concurrentReads
  }

  /** Loads DuckDB at start-up, so a missing `@duckdb/node-api` stops the start rather than the first request. */
  override async init (): Promise<void> {
    await loadDriver('@duckdb/node-api', async () => await import('@duckdb/node-api'))
  }

  override capabilities (): Capabilities {
    return { ...super.capabilities(), concurrentReads: this.#concurrentReads }
  }
}
