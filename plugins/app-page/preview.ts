import type { RequestContext } from '../../src/adapter.js'
import type { AdapterRuntime } from '../../src/runtime.js'

/**
 * The first `limit` rows of `table` read exactly as urlData answers the portal (the same plan, formatters and
 * deadline): the JSON the portal would receive, parsed back into a header and rows.
 */
export async function readPreview (runtime: AdapterRuntime, table: string, limit: number, context: RequestContext): Promise<{ header: string[], rows: unknown[][] }> {
  const stream = await runtime.data(table, { limit }, context, { startedAt: performance.now() })
  let text = ''
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
  const [header = [], ...rows] = JSON.parse(text) as unknown[][]
  return { header: header.map(String), rows }
}
