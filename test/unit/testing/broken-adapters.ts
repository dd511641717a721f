import { Adapter, type Capabilities, type ReadPlan, type RequestContext, type Row, type Setting } from '../../../src/core/adapter.js'
import { ERR_TABLE_NOT_FOUND } from '../../../src/core/errors.js'
import type { FieldInfo, TableInfo } from '../../../src/core/field-types.js'
import type { FilterNode } from '../../../src/core/filter-ast.js'
import { compilePredicate } from '../../../src/filter/evaluate.js'
import { safeEqual } from '../../../src/policy/secrets.js'

/** The API key the sample adapters accept; long enough to be a canary. */
export const API_KEY = 'sk-live-4f9a1c77d2e0b3'

const FIELDS: FieldInfo[] = [
  { code: 'ID', type: 'int' },
  { code: 'BIG', type: 'int' },
  { code: 'AMOUNT', type: 'money' },
  { code: 'RATIO', type: 'double' },
  { code: 'NAME', type: 'string' },
  { code: 'BIRTHDAY', type: 'date' },
  { code: 'UPDATED', type: 'datetime' },
  { code: 'EVENT', type: 'datetime', zoned: true }
]

const EDGE_BIG = ['9223372036854775807', '-9223372036854775808', '9007199254740993']
const EDGE_EVENTS = ['2026-03-29T01:30:00Z', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z']
const NAMES = ['Anna', 'Boris', 'Chen', 'Daria', "O'Brien", 'Müller', 'anna', '']

/** The sample rows, as objects keyed by field code: exact numbers as strings, instants as Dates. */
export function sampleRows (count = 60): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({
    ID: i + 1,
    BIG: EDGE_BIG[i] ?? String(BigInt(i) * 1_000_000_007n - 30n),
    AMOUNT: i === 0 ? '12345678901234567.89' : i % 9 === 4 ? null : `${i * 37 % 1000}.${String(i * 7 % 100).padStart(2, '0')}`,
    RATIO: i % 11 === 5 ? null : (i * 13 % 17) / 7,
    NAME: NAMES[i % NAMES.length],
    BIRTHDAY: i % 13 === 7 ? null : `19${60 + i % 40}-${String(1 + i % 12).padStart(2, '0')}-${String(13 + i % 15).padStart(2, '0')}`,
    UPDATED: `2025-0${1 + i % 9}-1${i % 10} ${String(i % 24).padStart(2, '0')}:0${i % 10}:3${i % 6}`,
    EVENT: i % 10 === 9 ? null : new Date(EDGE_EVENTS[i] ?? Date.UTC(2026, i % 12, 1 + i % 28, i % 24, 15))
  }))
}

/** The values the sample declares as fixtures for the kit's exact-number and time-zone checks. */
export const SAMPLE_FIXTURES = [
  { table: 'people', field: 'BIG', values: EDGE_BIG },
  { table: 'people', field: 'AMOUNT', values: ['12345678901234567.89'] },
  { table: 'people', field: 'EVENT', values: ['2026-03-29 03:30:00', '2026-10-25 02:30:00'], timeZone: 'Europe/Berlin' }
]

/**
 * A correct in-memory adapter: declares limit and filter pushdown and honours both with the evaluator.
 * Each broken adapter below changes one thing.
 */
export class SampleAdapter extends Adapter {
  override readonly settings: readonly Setting[] = [{ code: 'apiKey', name: 'API key', type: 'STRING', secret: true }]
  readonly rows = sampleRows()
  readonly bigRows: number

  constructor (options: { bigRows?: number } = {}) {
    super()
    this.bigRows = options.bigRows ?? 20_000
  }

  override async check ({ connection }: RequestContext): Promise<boolean> {
    return safeEqual(connection.apiKey ?? '', API_KEY)
  }

  async listTables (): Promise<TableInfo[]> {
    return [{ code: 'people', title: 'People' }, { code: 'big', title: 'Many rows' }]
  }

  async describeTable (table: string, _context?: RequestContext): Promise<FieldInfo[] | undefined> {
    if (table === 'people') return FIELDS
    if (table === 'big') return [{ code: 'ID', type: 'int' }, { code: 'LABEL', type: 'string' }]
    return undefined
  }

  override capabilities (): Capabilities {
    return { limit: true, filter: true }
  }

  /** Applies a pushed filter to object rows (overridden by the broken filter). */
  keep (filter: FilterNode, fields: readonly FieldInfo[]): (row: Record<string, unknown>) => boolean {
    const predicate = compilePredicate(filter, (code) => fields.findIndex((field) => field.code === code))
    return (row) => predicate(fields.map((field) => row[field.code]))
  }

  /** One row's values in the order asked (overridden by the broken order). */
  project (row: Record<string, unknown>, plan: ReadPlan): unknown[] {
    return plan.fields.map((field) => this.value(row, field.code))
  }

  /** One value as handed to the runtime (overridden by the broken formats). */
  value (row: Record<string, unknown>, code: string): unknown {
    return row[code]
  }

  /** The pushed limit (overridden by the adapter that ignores it). */
  limitOf (plan: ReadPlan): number {
    return plan.limit ?? Infinity
  }

  async * readRows (plan: ReadPlan, context: RequestContext): AsyncGenerator<Row[]> {
    if (plan.table === 'big') {
      yield * this.big(plan)
      return
    }
    const keep = plan.filter === undefined ? () => true : this.keep(plan.filter, plan.tableFields)
    const rows = this.rows.filter(keep).slice(0, this.limitOf(plan)).map((row) => this.project(row, plan))
    context.log.debug({ rows: rows.length }, 'people read')
    for (let index = 0; index < rows.length; index += 16) yield rows.slice(index, index + 16)
  }

  async * big (plan: ReadPlan): AsyncGenerator<Row[]> {
    const limit = Math.min(this.limitOf(plan), this.bigRows)
    for (let start = 0; start < limit; start += 1000) {
      const batch: Row[] = []
      for (let id = start + 1; id <= Math.min(start + 1000, limit); id++) {
        const row: Record<string, unknown> = { ID: id, LABEL: `row ${id} of the big table` }
        batch.push(plan.fields.map((field) => row[field.code]))
      }
      yield batch
    }
  }
}

/** Writes values in description order whatever was selected. */
export class WrongHeaderOrder extends SampleAdapter {
  override project (row: Record<string, unknown>, plan: ReadPlan): unknown[] {
    return plan.tableFields.map((field) => row[field.code]).slice(0, plan.fields.length)
  }
}

/** Hands dates over as YYYY-DD-MM. */
export class BadDateFormat extends SampleAdapter {
  override value (row: Record<string, unknown>, code: string): unknown {
    const value = row[code]
    if (code !== 'BIRTHDAY' || typeof value !== 'string') return value
    return `${value.slice(0, 4)}-${value.slice(8, 10)}-${value.slice(5, 7)}`
  }
}

/** Declares limit pushdown and reads everything. */
export class IgnoresLimit extends SampleAdapter {
  override limitOf (): number {
    return Infinity
  }
}

/** Declares filter pushdown and filters nothing. */
export class IgnoresFilter extends SampleAdapter {
  override keep (): (row: Record<string, unknown>) => boolean {
    return () => true
  }
}

/** Passes a file system error message on as a coded error. */
export class LeaksException extends SampleAdapter {
  override async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    const fields = await super.describeTable(table)
    if (fields !== undefined) return fields
    const cause = new Error(`ENOENT: no such file or directory, open '/srv/b24bi/data/${table}.json'`)
    throw Object.assign(new Error(cause.message), { code: ERR_TABLE_NOT_FOUND.code, statusCode: 404 })
  }
}

/** Logs its API key under a key the redaction does not know. */
export class LeaksCanary extends SampleAdapter {
  override async * readRows (plan: ReadPlan, context: RequestContext): AsyncGenerator<Row[]> {
    context.log.info({ table: plan.table, apiKey: context.connection.apiKey }, 'calling the API')
    yield * super.readRows(plan, context)
  }
}

/** Puts its key in an answer (a table's title). */
export class LeaksCanaryInAnswer extends SampleAdapter {
  override async listTables (_search?: string, context?: RequestContext): Promise<TableInfo[]> {
    return (await super.listTables()).map((table) => ({ ...table, title: `${table.title} (key ${context?.connection.apiKey ?? ''})` }))
  }
}

/** Applies `>` as `>=`: right for most filters, wrong at the boundary. */
export class DifferentialMismatch extends SampleAdapter {
  override keep (filter: FilterNode, fields: readonly FieldInfo[]): (row: Record<string, unknown>) => boolean {
    return super.keep(loosen(filter), fields)
  }
}

function loosen (node: FilterNode): FilterNode {
  if (node.kind === 'group') return { ...node, items: node.items.map(loosen) }
  return node.op === 'gt' ? { ...node, op: 'gte' } : node
}

/** Reads 64-bit integers and decimals through a JS double. */
export class ExactNumberMangled extends SampleAdapter {
  override value (row: Record<string, unknown>, code: string): unknown {
    const value = row[code]
    return (code === 'BIG' || code === 'AMOUNT') && typeof value === 'string' ? Number(value) : value
  }
}

/** Hands instants over as UTC wall times, so the configured zone never applies. */
export class ZoneShift extends SampleAdapter {
  override value (row: Record<string, unknown>, code: string): unknown {
    const value = row[code]
    return value instanceof Date ? value.toISOString().slice(0, 19).replace('T', ' ') : value
  }
}

/** Fails every read of the sample table 'people' (the big table still reads). */
export class SampleReadFails extends SampleAdapter {
  override async * readRows (plan: ReadPlan, context: RequestContext): AsyncGenerator<Row[]> {
    if (plan.table === 'people') throw new Error('the people store is offline')
    yield * super.readRows(plan, context)
  }
}

/** A driver-style failure whose message holds the credential in a connection URL (production logs scrub it). */
export class CredentialInDriverMessage extends SampleAdapter {
  override async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    if (table === 'people') return await super.describeTable(table)
    throw new Error(`connect postgres://reader:${API_KEY}@10.0.0.5:5432/shop failed`)
  }
}
