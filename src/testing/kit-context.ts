import type { Adapter } from '../core/adapter.js'
import type { FieldInfo } from '../core/field-types.js'
import type { RuntimeOptions } from '../runtime/runtime-options.js'
import { JsonNumber, type ExactValue } from '../util/exact-json.js'
import { KitServer, type KitRecord } from './kit-server.js'
import type { ObservedAdapter } from './observed-adapter.js'

/** The checks the kit runs, by name (each finding names one). */
export const CHECKS = [
  'check', 'auth', 'list', 'search', 'describe', 'types', 'select-order', 'limit', 'filter', 'differential',
  'bad-input', 'secrets', 'throughput', 'memory', 'exact-numbers', 'time-zones'
] as const

/** One check's name. */
export type CheckName = typeof CHECKS[number]

/** A value the sample data must hold verbatim (exact numbers, datetimes in a zone). */
export interface ConformanceFixture {
  table: string
  field: string
  /** The values as the answer must write them: number text (`9223372036854775807`) or date text. */
  values: readonly string[]
  /** The zone the server is configured with for this read. Default: the runtime's zone (UTC). */
  timeZone?: string
}

/** What an adapter author hands the kit. */
export interface ConformanceOptions {
  adapter: Adapter
  /** A connection the adapter accepts. Values of settings declared `secret` are the canaries of the secret scan. */
  connection: Readonly<Record<string, string>>
  /** Runtime options of the server under test (renameFields, timeZone...). */
  runtime?: RuntimeOptions
  /** The table the filter, order and limit checks read whole (keep it small). Default: the first listed. */
  sample?: { table?: string, filterRuns?: number, seed?: number, maxRows?: number }
  /** The table read whole for throughput and memory. Default: the sample table. */
  load?: { table?: string }
  thresholds?: {
    /** Rows per second the large read must reach. Default 1000. */
    minRowsPerSecond?: number
    /** Growth of the process RSS during the large read, in MiB. Default 256. */
    maxRssGrowthMb?: number
  }
  fixtures?: readonly ConformanceFixture[]
  /** More values that must never appear in an answer or a log line. */
  secrets?: readonly string[]
  /** Checks not to run. */
  skip?: readonly CheckName[]
}

/**
 * One result: a passed or failed check, with a message naming what was checked or what is wrong; or a check
 * that could not run (`notRun`, message `not run: <why>`), because what it needs failed or was skipped.
 */
export interface Finding {
  check: CheckName
  ok: boolean
  message: string
  /** True when the check did not run; `ok` is then true and the message says why. */
  notRun?: boolean
}

/**
 * What a step may need from earlier ones: `tables` (the table list answered at least one table) and `sample`
 * (the sample table read whole, the reference of the read checks).
 */
export type KitNeed = 'tables' | 'sample'

/** Numbers the kit measured. */
export interface Measurements {
  largeReadRows?: number
  rowsPerSecond?: number
  rssGrowthMb?: number
}

/** Rows of a read: the header and the rows, numbers as {@link JsonNumber}. */
export interface ReadResult {
  header: string[]
  rows: ExactValue[][]
}

/** What every check gets. */
export class KitContext {
  readonly options: ConformanceOptions
  readonly observed: ObservedAdapter
  readonly record: KitRecord = { answers: [], logs: [] }
  readonly findings: Finding[] = []
  readonly measurements: Measurements = {}
  readonly #servers: KitServer[] = []
  readonly #fields = new Map<string, FieldInfo[]>()
  server!: KitServer
  tables: string[] = []
  sampleTable: string | undefined
  /** The sample table read whole without a filter: the reference the read checks compare with. */
  reference: { fields: FieldInfo[], read: ReadResult } | undefined

  constructor (options: ConformanceOptions, observed: ObservedAdapter) {
    this.options = options
    this.observed = observed
  }

  readonly #missing = new Map<KitNeed, string>()

  /** Records a finding. */
  report (check: CheckName, ok: boolean, message: string): void {
    this.findings.push({ check, ok, message })
  }

  /** Records that `check` did not run, and why. */
  notRun (check: CheckName, why: string): void {
    this.findings.push({ check, ok: true, message: `not run: ${why}`, notRun: true })
  }

  /** Records why `need` is not available to later steps (the first reason given wins). */
  unavailable (need: KitNeed, why: string): void {
    if (!this.#missing.has(need)) this.#missing.set(need, why)
  }

  /** Why the first of `needs` that is not available is missing, or undefined when all are there. */
  missing (needs: readonly KitNeed[]): string | undefined {
    for (const need of needs) {
      const available = need === 'tables' ? this.tables.length > 0 : this.reference !== undefined
      if (!available) return this.#missing.get(need) ?? (need === 'tables' ? 'the table list answered no table' : 'no sample table was read')
    }
    return undefined
  }

  /** Starts a server with the author's runtime options plus `overrides`; closed with the kit. */
  async startServer (overrides: RuntimeOptions = {}): Promise<KitServer> {
    const server = await KitServer.start(this.observed, { ...this.options.runtime, ...overrides }, this.record)
    this.#servers.push(server)
    return server
  }

  /** The body fields every request carries. */
  body (extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { connection: this.options.connection, ...extra }
  }

  /** The described fields of a table (cached), or undefined when the description failed. */
  async fields (table: string): Promise<FieldInfo[] | undefined> {
    const known = this.#fields.get(table)
    if (known !== undefined) return known
    const answer = await this.server.post('tableDescription', this.body({ table }))
    if (answer.status !== 200 || !Array.isArray(answer.json)) return undefined
    const fields = answer.json as unknown as FieldInfo[]
    this.#fields.set(table, fields)
    return fields
  }

  /** The fields as the runtime sees them (renames applied, `zoned` kept), bypassing HTTP. */
  async runtimeFields (table: string): Promise<FieldInfo[]> {
    const runtime = this.server.fastify.b24bi
    const context = await runtime.authenticate(this.options.connection, SILENT)
    return await runtime.describe(table, context)
  }

  /** Reads through urlData; returns the rows or a description of the failure. */
  async read (request: Record<string, unknown>, server = this.server): Promise<ReadResult | string> {
    const answer = await server.post('data', this.body(request))
    if (answer.status !== 200) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`
    if (!Array.isArray(answer.json) || answer.json.length === 0 || !Array.isArray(answer.json[0])) {
      return `did not answer a JSON array of arrays: ${answer.text.slice(0, 300)}`
    }
    const [header, ...rows] = answer.json as ExactValue[][]
    return { header: header as string[], rows }
  }

  async close (): Promise<void> {
    for (const server of this.#servers) await server.close()
  }
}

const SILENT = { debug () {}, info () {}, warn () {}, error () {} }

/** A value as text for messages and comparisons: numbers as written, strings as they are. */
export function valueText (value: ExactValue | undefined): string {
  if (value instanceof JsonNumber) return value.text
  if (typeof value === 'string') return value
  return JSON.stringify(value) ?? 'undefined'
}
