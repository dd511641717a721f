import closeWithGrace from 'close-with-grace'
import { Adapter, type ReadPlan, type Row } from '../../../src/core/adapter.js'
import type { FieldInfo } from '../../../src/core/field-types.js'
import { buildServer } from '../../../src/server/index.js'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { SLOW } from './child-process.js'

/** A table whose rows come slowly. */
class SlowAdapter extends Adapter {
  override readonly settings = [{ code: 'token', name: 'Token', type: 'STRING' as const }]
  async listTables (): Promise<Array<{ code: string }>> {
    return [{ code: 'slow' }]
  }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    return table === 'slow' ? [{ code: 'ID', type: 'int' }, { code: 'NAME', type: 'string' }] : undefined
  }

  async * readRows (plan: ReadPlan): AsyncGenerator<Row[]> {
    for (let batch = 0; batch < SLOW.batches && !plan.signal.aborted; batch++) {
      await new Promise((resolve) => setTimeout(resolve, SLOW.delayMs))
      yield Array.from({ length: SLOW.rowsPerBatch }, (_, i) => [batch * SLOW.rowsPerBatch + i, `row ${i}`])
    }
  }
}

// A connector server in its own process, stopped like `b24bi serve` (close-with-grace on SIGTERM), for
// the shutdown and memory tests: `server-child.ts slow` or `server-child.ts postgres <url> <table>`.
const [kind, url, table] = process.argv.slice(2)
const adapter = kind === 'postgres'
  ? new PostgresAdapter({ url: url!, token: process.env.CHILD_TOKEN!, exposure: { tables: { allow: [table!] } }, poolSize: Number(process.env.CHILD_POOL_SIZE ?? 4) })
  : new SlowAdapter()
const readsPerCredential = process.env.CHILD_READS_PER_CREDENTIAL
const fastify = await buildServer({
  adapter,
  logger: { level: 'warn' },
  runtime: readsPerCredential === undefined ? {} : { concurrentReadsPerCredential: Number(readsPerCredential) }
})
closeWithGrace({ delay: 30_000 }, async () => {
  await fastify.close()
})
await fastify.listen({ host: '127.0.0.1', port: 0 })
const address = fastify.server.address()
process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 }) + '\n')
