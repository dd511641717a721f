import { setTimeout as sleep } from 'node:timers/promises'
import { Adapter, type ReadPlan, type Row } from '../../../src/core/adapter.js'
import type { FieldInfo, TableInfo } from '../../../src/core/field-types.js'

/** The connection value the page's server is configured with (a canary: it must never reach the browser). */
export const PAGE_TOKEN = 'page-canary-7c1e0b9d4f'

const DEALS: FieldInfo[] = [
  { code: 'ID', type: 'int' },
  { code: 'TITLE', type: 'string', name: 'Title' },
  { code: 'AMOUNT', type: 'money' },
  { code: 'CLOSED_AT', type: 'datetime' },
  { code: 'DAY', type: 'date' }
]

/**
 * Three tables for the app page: `deals` (every formatted type, 30 rows), `legacy` (codes that cannot be dataset
 * field names) and `slow` (rows trickle in: a deadline stop with a short deadline).
 */
export class PageAdapter extends Adapter {
  override readonly settings = [{ code: 'token', name: 'Token', type: 'STRING' as const }]

  override async check (context: { connection: Readonly<Record<string, string>> }): Promise<boolean> {
    return context.connection.token === PAGE_TOKEN
  }

  async listTables (): Promise<TableInfo[]> {
    return [{ code: 'deals', title: 'Deals' }, { code: 'legacy', title: 'Legacy export' }, { code: 'slow', title: 'Slow source' }]
  }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    if (table === 'deals') return DEALS
    if (table === 'legacy') return [{ code: 'ID', type: 'int' }, { code: 'first name', type: 'string' }, { code: '1st_contact', type: 'date' }]
    if (table === 'slow') return [{ code: 'X', type: 'double' }]
    return undefined
  }

  async * readRows (plan: ReadPlan): AsyncIterable<Row[]> {
    if (plan.table === 'deals') {
      yield Array.from({ length: 30 }, (_, i) => ({
        ID: i + 1,
        TITLE: `Deal ${i + 1}`,
        AMOUNT: `${1000 + i}.50`,
        CLOSED_AT: new Date(Date.UTC(2026, 0, 2 + i, 9, 30, 5)),
        DAY: new Date(Date.UTC(2026, 0, 2 + i))
      }))
    } else if (plan.table === 'legacy') {
      yield [{ ID: 1, 'first name': 'Ann', '1st_contact': new Date(Date.UTC(2025, 4, 1)) }]
    } else {
      for (let batch = 0; batch < 1000; batch++) {
        await sleep(100, undefined, { signal: plan.signal }).catch(() => {})
        if (plan.signal.aborted) return
        yield [{ X: batch / 4 }]
      }
    }
  }
}
