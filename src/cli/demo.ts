import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FilesAdapter, type FilesAdapterOptions } from '../../adapters/files/files-adapter.js'
import { DEMO_DATA_VERSION, writeDemoData } from './demo-data.js'

/** The demo's options: its token, where its data lives, and the files adapter's DuckDB settings. */
export type DemoOptions = Pick<FilesAdapterOptions, 'token' | 'tokens' | 'threads' | 'memoryLimitMegabytes' | 'concurrentReads'> & { directory?: string }

/** The token the demo accepts when `CONNECTOR_TOKEN` is not set. */
export const DEMO_TOKEN = 'demo'

/** Where the demo data is generated unless told otherwise. */
export function defaultDemoDirectory (): string {
  return join(tmpdir(), `b24bi-demo-v${DEMO_DATA_VERSION}`)
}

/**
 * The embedded demo: a small CRM (companies, contacts, deals, activities) and `exact_values`,
 * generated deterministically on first start and served from Parquet/CSV through DuckDB.
 * One setting, `token`, compared in constant time with `token` and each of `tokens` (a rotation).
 */
export async function createDemoAdapter (options: DemoOptions): Promise<FilesAdapter> {
  const { directory: given, token, tokens, ...duckdb } = options
  const directory = await writeDemoData(given ?? defaultDemoDirectory())
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
