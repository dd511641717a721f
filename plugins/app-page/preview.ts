import type { RequestContext } from '../../src/core/adapter.js'
import { exactStringify, parseExactJson, type ExactValue } from '../../src/util/exact-json.js'
import type { AdapterRuntime } from '../../src/runtime/runtime.js'

/**
 * The first `limit` rows of `table` read exactly as urlData answers the portal (the same plan, formatters and
 * deadline). Each cell is the JSON literal the portal receives (`1000.50`, `"2026-01-02 09:30:05"`, `null`):
 * parsing it into a JS number would drop digits.
 */
export async function readPreview (runtime: AdapterRuntime, table: string, limit: number, context: RequestContext): Promise<{ header: string[], rows: string[][] }> {
  const stream = await runtime.data(table, { limit }, context, { startedAt: performance.now() })
  let text = ''
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
  const [header = [], ...rows] = parseExactJson(text) as ExactValue[][]
  return { header: header.map(String), rows: rows.map((row) => row.map(exactStringify)) }
}
