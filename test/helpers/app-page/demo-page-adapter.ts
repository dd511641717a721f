import { setTimeout as sleep } from 'node:timers/promises'
import { Adapter, type Capabilities, type ReadPlan, type RequestContext, type Row, type Setting } from '../../../src/core/adapter.js'
import type { FieldInfo, TableInfo } from '../../../src/core/field-types.js'

/**
 * The demo (companies, contacts, deals, activities, exact_values) plus one unlisted table `slow_feed` whose rows
 * trickle in, so the deadline stops a read of it: the browser test's page shows the demo and a real deadline stop.
 * It is not in the table list, so the page's connection test (which reads every listed table whole) passes.
 */
export class DemoWithSlowTable extends Adapter {
  override readonly settings: readonly Setting[]

  constructor (readonly demo: Adapter) {
    super()
    this.settings = demo.settings
  }

  override async init (): Promise<void> { await this.demo.init() }
  override async check (context: RequestContext): Promise<boolean> { return await this.demo.check(context) }
  /** The demo's pushdown for its tables; the slow feed pushes nothing down (the runtime filters and limits it). */
  override capabilities (): Capabilities {
    const demo = this.demo.capabilities()
    const filter = demo.filter
    return {
      limit: demo.limit === true,
      filter: (field, op, scope) => field.code !== 'READING' && (typeof filter === 'function' ? filter(field, op, scope) : filter === true)
    }
  }

  override async close (): Promise<void> { await this.demo.close() }

  async listTables (search: string, context: RequestContext): Promise<readonly TableInfo[]> {
    return await this.demo.listTables(search, context)
  }

  async describeTable (table: string, context: RequestContext): Promise<readonly FieldInfo[] | undefined> {
    return table === 'slow_feed' ? [{ code: 'READING', type: 'double' }] : await this.demo.describeTable(table, context)
  }

  async * readRows (plan: ReadPlan, context: RequestContext): AsyncIterable<readonly Row[]> {
    if (plan.table !== 'slow_feed') {
      yield * this.demo.readRows(plan, context)
      return
    }
    const limit = plan.limit ?? Infinity // pushed only because the demo honours limits: honour it here too
    for (let batch = 0; batch < Math.min(1000, limit); batch++) {
      await sleep(100, undefined, { signal: plan.signal }).catch(() => {})
      if (plan.signal.aborted) return
      yield [{ READING: batch / 4 }]
    }
  }
}
