import { setTimeout as sleep } from 'node:timers/promises'
import { Adapter, type Capabilities, type ReadPlan, type RequestContext, type Row, type Setting } from '../../src/adapter.js'
import type { FieldInfo, TableInfo } from '../../src/field-types.js'

/**
 * The demo (companies, contacts, deals, activities, exact_values) plus one table `slow_feed` whose rows trickle in,
 * so a short deadline stops it: the browser test's page shows the demo and a real deadline stop.
 */
export class DemoWithSlowTable extends Adapter {
  override readonly settings: readonly Setting[]

  constructor (readonly demo: Adapter) {
    super()
    this.settings = demo.settings
  }

  override async init (): Promise<void> { await this.demo.init() }
  override async check (context: RequestContext): Promise<boolean> { return await this.demo.check(context) }
  override capabilities (): Capabilities { return this.demo.capabilities() }
  override async close (): Promise<void> { await this.demo.close() }

  async listTables (search: string, context: RequestContext): Promise<readonly TableInfo[]> {
    return [...await this.demo.listTables(search, context), { code: 'slow_feed', title: 'Slow feed' }]
  }

  async describeTable (table: string, context: RequestContext): Promise<readonly FieldInfo[] | undefined> {
    return table === 'slow_feed' ? [{ code: 'READING', type: 'double' }] : await this.demo.describeTable(table, context)
  }

  async * readRows (plan: ReadPlan, context: RequestContext): AsyncIterable<readonly Row[]> {
    if (plan.table !== 'slow_feed') {
      yield * this.demo.readRows(plan, context)
      return
    }
    for (let batch = 0; batch < 1000; batch++) {
      await sleep(100, undefined, { signal: plan.signal }).catch(() => {})
      if (plan.signal.aborted) return
      yield [{ READING: batch / 4 }]
    }
  }
}
