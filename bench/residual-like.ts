import { Adapter, type ReadPlan } from '../src/core/adapter.js'
import type { FieldInfo } from '../src/core/field-types.js'
import { buildServer } from '../src/server/index.js'

/** One pattern's measurement: the urlData answer's time and the slowest /health answer while it ran. */
export interface ResidualLikeResult {
  pattern: string
  rows: number
  seconds: number
  healthChecks: number
  slowestHealthMs: number
}

const FIELDS: FieldInfo[] = [{ code: 'ID', type: 'int' }, { code: 'TEXT', type: 'string' }]
const TEXT = 'Meeting notes for customer number 1 about the renewal' // the security review's 54-character value
const BATCH = 1000

/** The README's kind of custom adapter: it pushes nothing down, so LIKE runs in b24bi's own evaluator. */
class PushdownFreeAdapter extends Adapter {
  constructor (readonly rows: number) {
    super()
  }

  async listTables () {
    return [{ code: 'notes', title: 'Notes' }]
  }

  async describeTable (table: string) {
    return table === 'notes' ? FIELDS : undefined
  }

  async * readRows (_plan: ReadPlan) {
    for (let start = 0; start < this.rows; start += BATCH) {
      yield Array.from({ length: Math.min(BATCH, this.rows - start) }, (_, index) => [start + index, `${TEXT} ${start + index}`])
    }
  }
}

/**
 * Times `~TEXT=<pattern>` over `rows` rows of a pushdown-free adapter, over real HTTP, while /health is asked every
 * 20 ms: the patterns that made the old regular-expression evaluator backtrack for minutes (issue 19).
 */
export async function measureResidualLike (rows = 100_000, patterns = ['%%%%%%%%!', '%_%_%_%_%_%_%_!', '%renewal 9999_']): Promise<ResidualLikeResult[]> {
  const app = await buildServer({ adapter: new PushdownFreeAdapter(rows), logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const results: ResidualLikeResult[] = []
  try {
    const warmUp = new URLSearchParams({ 'connection[x]': '1', table: 'notes', 'filter[~TEXT]': 'warm-up%' })
    await (await fetch(`${base}/api/data`, { method: 'POST', body: warmUp })).text()
    for (const pattern of patterns) {
      let running = true
      const latencies: number[] = []
      const poll = (async () => {
        while (running) {
          const start = performance.now()
          await (await fetch(`${base}/health`)).text()
          latencies.push(performance.now() - start)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      })()
      const start = performance.now()
      const body = new URLSearchParams({ 'connection[x]': '1', table: 'notes', 'filter[~TEXT]': pattern })
      const answer = await fetch(`${base}/api/data`, { method: 'POST', body })
      await answer.text()
      const seconds = (performance.now() - start) / 1000
      running = false
      await poll
      results.push({ pattern, rows, seconds, healthChecks: latencies.length, slowestHealthMs: Math.max(0, ...latencies) })
    }
  } finally {
    await app.close()
  }
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const result of await measureResidualLike()) {
    process.stdout.write(`~TEXT=${result.pattern} over ${result.rows.toLocaleString('en-US')} rows: ${result.seconds.toFixed(3)} s; ` +
      `/health asked ${result.healthChecks} times meanwhile, slowest ${result.slowestHealthMs.toFixed(1)} ms\n`)
  }
}
