import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FilesAdapter } from '../../adapters/files/files-adapter.js'
import { DEMO_DATA_VERSION, writeDemoData } from './demo-data.js'

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
export async function createDemoAdapter (options: { token?: string, tokens?: readonly string[], directory?: string }): Promise<FilesAdapter> {
  const directory = await writeDemoData(options.directory ?? defaultDemoDirectory())
  return new FilesAdapter({
    directory,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
    types: {
      companies: { REVENUE: 'money' },
      deals: { OPPORTUNITY: 'money' },
      exact_values: { AMOUNT: 'money' }
    }
  })
}
