import { setTimeout as sleep } from 'node:timers/promises'
import { Adapter, type ReadPlan, type Row } from '../../src/core/adapter.js'
import type { FieldInfo, TableInfo } from '../../src/core/field-types.js'

/** A table `numbers` of `batches` x `batchSize` rows, one batch every `pauseMs`: a stream that is in flight for a while. */
export class SlowAdapter extends Adapter {
  override readonly settings = [{ code: 'token', name: 'Token', type: 'STRING' as const }]
  readonly batches: number
  readonly batchSize: number
  readonly pauseMs: number
  sourceUp = true
  pool = { total: 4, idle: 3, waiting: 0 }

  constructor (options: { batches?: number, batchSize?: number, pauseMs?: number } = {}) {
    super()
    this.batches = options.batches ?? 20
    this.batchSize = options.batchSize ?? 50
    this.pauseMs = options.pauseMs ?? 50
  }

  override async check (context: { connection: Readonly<Record<string, string>> }): Promise<boolean> {
    return context.connection.token?.startsWith('ok') === true
  }

  async listTables (): Promise<TableInfo[]> {
    return [{ code: 'numbers', title: 'Numbers' }]
  }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    return table === 'numbers' ? [{ code: 'N', type: 'int' }] : undefined
  }

  async * readRows (plan: ReadPlan): AsyncIterable<Row[]> {
    for (let batch = 0; batch < this.batches; batch++) {
      if (batch > 0) await sleep(this.pauseMs, undefined, { signal: plan.signal }).catch(() => {})
      if (plan.signal.aborted) return
      yield Array.from({ length: this.batchSize }, (_, i) => [batch * this.batchSize + i + 1])
    }
  }

  override async ready (): Promise<boolean> {
    return this.sourceUp
  }

  /** The optional metrics hook (pool sizes). */
  metrics (): { pool: { total: number, idle: number, waiting: number } } {
    return { pool: this.pool }
  }
}
