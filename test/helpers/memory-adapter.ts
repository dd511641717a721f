import { Adapter, type Capabilities, type ReadPlan, type RequestContext } from '../../src/core/adapter.js'
import type { FieldInfo, TableInfo } from '../../src/core/field-types.js'
import { compilePredicate } from '../../src/filter/evaluate.js'

/** A small in-test adapter over rows in memory; records what the runtime asked of it. */
export class MemoryAdapter extends Adapter {
  readonly plans: ReadPlan[] = []
  returned = 0
  inits = 0
  constructor (
    readonly fields: FieldInfo[],
    readonly rows: Array<Record<string, unknown>>,
    readonly options: { capabilities?: Capabilities, batch?: number, delayMs?: number, failInit?: number, throwAfter?: number } = {}
  ) {
    super()
  }

  override async init (): Promise<void> {
    this.inits++
    if (this.inits <= (this.options.failInit ?? 0)) throw new Error('connect ECONNREFUSED 10.0.0.1:5432 password=hunter2')
  }

  override capabilities (): Capabilities {
    return this.options.capabilities ?? {}
  }

  async listTables (): Promise<TableInfo[]> {
    return [{ code: 'items', title: 'Items' }]
  }

  async describeTable (table: string) {
    return table === 'items' ? this.fields : undefined
  }

  async * readRows (plan: ReadPlan, _context: RequestContext) {
    this.plans.push(plan)
    const batch = this.options.batch ?? 2
    // Honours what it declared it pushes down, like a real source would.
    const codes = plan.tableFields.map((field) => field.code)
    const keep = plan.filter === undefined ? () => true : compilePredicate(plan.filter, (code) => codes.indexOf(code))
    const matching = this.rows.filter((row) => keep(codes.map((code) => row[code]))).slice(0, plan.limit ?? Infinity)
    let sent = 0
    try {
      for (let i = 0; i < matching.length; i += batch) {
        if (plan.signal.aborted) return
        if (this.options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs))
        if (this.options.throwAfter !== undefined && sent >= this.options.throwAfter) throw new Error('server closed the connection unexpectedly password=hunter2')
        const rows = matching.slice(i, i + batch)
        sent += rows.length
        yield rows
      }
    } finally {
      this.returned++
    }
  }
}
