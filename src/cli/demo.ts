import { FilesAdapter, type FilesAdapterOptions } from '../../adapters/files/files-adapter.js'
import { ERR_DEMO_CACHE } from '../core/errors.js'
import { demoCacheCandidates, openCacheFolder, UNWRITABLE } from './demo-cache.js'
import { prepareDemoData } from './demo-data.js'

/**
 * The demo's options: its token, the files adapter's DuckDB settings, and `cacheDirectory`, the folder its data is
 * cached in (default: `$XDG_CACHE_HOME/b24bi`, else `~/.cache/b24bi`, else `<os temp>/b24bi-<uid>`).
 */
export type DemoOptions = Pick<FilesAdapterOptions, 'token' | 'tokens' | 'threads' | 'memoryLimitMegabytes' | 'concurrentReads'> & { cacheDirectory?: string }

/** The token the demo accepts when `CONNECTOR_TOKEN` is not set. */
export const DEMO_TOKEN = 'demo'

/**
 * The folder holding the checked demo data: in `cacheDirectory` when given, else in the first of the per-user cache
 * folders (see `demoCacheCandidates`) that can be created and written; a home that cannot (read-only) falls
 * through to the next. A folder that is not safe (another user's) stops the start with `ERR_DEMO_CACHE`.
 */
export async function demoDataDirectory (cacheDirectory?: string): Promise<string> {
  const candidates = cacheDirectory === undefined ? demoCacheCandidates() : [cacheDirectory]
  let cause: unknown
  for (const candidate of candidates) {
    if (!(await openCacheFolder(candidate))) continue
    try {
      return await prepareDemoData(candidate)
    } catch (error) {
      // Creating a folder may succeed where writing fails (an existing folder on a read-only file system).
      if (!UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error
      cause = error
    }
  }
  throw new ERR_DEMO_CACHE(candidates.join("', '"), 'none of them can be created and written; set XDG_CACHE_HOME to a writable folder', { cause })
}

/**
 * The embedded demo: a small CRM (companies, contacts, deals, activities) and `exact_values`,
 * generated deterministically on first start and served from Parquet/CSV through DuckDB.
 * One setting, `token`, compared in constant time with `token` and each of `tokens` (a rotation).
 */
export async function createDemoAdapter (options: DemoOptions): Promise<FilesAdapter> {
  const { cacheDirectory, token, tokens, ...duckdb } = options
  const directory = await demoDataDirectory(cacheDirectory)
  return new FilesAdapter({
    ...duckdb,
    directory,
    ...(token === undefined ? {} : { token }),
    ...(tokens === undefined ? {} : { tokens }),
    types: {
      companies: { REVENUE: 'money' },
      deals: { OPPORTUNITY: 'money' },
      exact_values: { AMOUNT: 'money' }
    }
  })
}
