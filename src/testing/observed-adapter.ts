import { Adapter, type Capabilities, type ReadPlan, type RequestContext, type Row, type Setting } from '../core/adapter.js'
import type { FieldInfo, TableInfo } from '../core/field-types.js'

/** What the kit saw of one `readRows` call. */
export interface ObservedRead {
  plan: ReadPlan
  /** Rows the adapter yielded, before the runtime's residual filter and limit. */
  rowsYielded: number
}

/**
 * Delegates to the author's adapter and records each read, so the kit can tell an adapter that honours a
 * pushed limit from one that reads everything and lets the runtime cut. `init` runs once for every
 * server the kit starts; `close` is deferred until the kit is done (`closeInner`).
 */
export class ObservedAdapter extends Adapter {
  readonly inner: Adapter
  override readonly settings: readonly Setting[]
  readonly reads: ObservedRead[] = []
  #init: Promise<void> | undefined

  constructor (inner: Adapter) {
    super()
    this.inner = inner
    this.settings = inner.settings
  }

  override async init (): Promise<void> {
    this.#init ??= this.inner.init().catch((error: unknown) => {
      this.#init = undefined
      throw error
    })
    await this.#init
  }

  override async check (context: RequestContext): Promise<boolean> {
    return await this.inner.check(context)
  }

  async listTables (search: string, context: RequestContext): Promise<readonly TableInfo[]> {
    return await this.inner.listTables(search, context)
  }

  async describeTable (table: string, context: RequestContext): Promise<readonly FieldInfo[] | undefined> {
    return await this.inner.describeTable(table, context)
  }

  async * readRows (plan: ReadPlan, context: RequestContext): AsyncGenerator<readonly Row[]> {
    const read: ObservedRead = { plan, rowsYielded: 0 }
    this.reads.push(read)
    for await (const batch of this.inner.readRows(plan, context)) {
      read.rowsYielded += batch.length
      yield batch
    }
  }

  override capabilities (): Capabilities {
    return this.inner.capabilities()
  }

  override async ready (): Promise<boolean> {
    return await this.inner.ready()
  }

  /** The servers the kit starts share the adapter: closing one must not close it. */
  override async close (): Promise<void> {}

  /** Closes the author's adapter once the kit is done. */
  async closeInner (): Promise<void> {
    if (this.#init !== undefined) await this.#init.catch(() => {})
    await this.inner.close()
  }
}
