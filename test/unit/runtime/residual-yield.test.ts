import t from 'tap'
import { Adapter, type ReadPlan } from '../../../src/core/adapter.js'
import type { FieldInfo } from '../../../src/core/field-types.js'
import { buildServer } from '../../../src/server/index.js'

const FIELDS: FieldInfo[] = [{ code: 'ID', type: 'int' }, { code: 'TEXT', type: 'string' }]
const ROWS = 400_000
let evaluated = 0

/** A text value that counts how often the filter reads it (the filter reads a non-string value through String()). */
const TEXT = { toString: () => { evaluated++; return 'Meeting notes for customer number 1 about the renewal' } }

/** Pushes nothing down (the default capabilities) and hands the runtime all its rows in one batch. */
class OneBatchAdapter extends Adapter {
  async listTables () {
    return [{ code: 'items', title: 'Items' }]
  }

  async describeTable (table: string) {
    return table === 'items' ? FIELDS : undefined
  }

  async * readRows (_plan: ReadPlan) {
    yield Array.from({ length: ROWS }, (_, index) => [index, TEXT])
  }
}

t.test('a long residual filter gives the event loop turns inside one batch; /health answers meanwhile', async (t) => {
  const app = await buildServer({ adapter: new OneBatchAdapter(), logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => await app.close())
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  // Each turn of the event loop records how far the filter got. Without yields inside the batch, no turn could
  // ever see it between 0 and ROWS: the whole batch would run in one piece.
  const seen: number[] = []
  let ticking = true
  let health: Promise<Response> | undefined
  const tick = (): void => {
    seen.push(evaluated)
    // Midway through the batch, ask for /health.
    if (health === undefined && evaluated > 0 && evaluated < ROWS) health = fetch(`${base}/health`)
    if (ticking) setImmediate(tick)
  }
  setImmediate(tick)
  const body = new URLSearchParams({ 'connection[x]': '1', table: 'items', 'filter[~TEXT]': '%_%_%_%_%_%_%_!' })
  const answer = await fetch(`${base}/api/data`, { method: 'POST', body }).then(async (answer) => {
    t.equal(answer.status, 200)
    return await answer.json()
  })
  ticking = false
  t.same(answer, [['ID', 'TEXT']], 'no row matches')
  t.equal(evaluated, ROWS, 'every row was filtered')
  const inside = seen.filter((count) => count > 0 && count < ROWS).length
  t.ok(inside > 0, `the event loop turned ${inside} times while the batch was being filtered`)
  t.equal((await health!).status, 200, '/health, asked midway, is answered')
})
