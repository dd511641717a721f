import { rootCertificates } from 'node:tls'
import { Agent, fetch } from 'undici'
import type { ExactValue } from '../util/exact-json.js'
import type { FieldType } from '../core/field-types.js'
import { PORTAL_TRANSFER_LIMIT_S } from '../runtime/data-log.js'
import type { DescribedField, ExpectedDateTime, ListedTable, Violation } from '../protocol/answer-checks.js'
import { DEFAULT_PATHS, type ConnectorPaths } from '../protocol/endpoints.js'
import { networkCause } from './network-cause.js'
import { phpFormEncode } from './php-form.js'
import { DEFAULT_PORTAL_DATE_FORMAT, portalDateFormat, type PortalDateFormat } from './portal-date.js'

/** Options of `probe`; defaults in the comments. */
export interface ProbeOptions {
  /** The connector's base URL, e.g. `http://localhost:3000`. */
  baseUrl: string
  /** The connection settings, as the portal user would type them. */
  settings: Record<string, string>
  /** Endpoint paths. Default `/api/check`, `/api/table_list`, `/api/table_description`, `/api/data`. */
  paths?: Partial<ConnectorPaths>
  /** Rows asked for in the preview call. Default 20, as the portal. */
  previewLimit?: number
  /** Milliseconds to wait for an answer's status line; the portal waits 250 s to connect. Default 250000. */
  timeoutMs?: number
  /** Milliseconds an answer may take, request to last byte, before it fails. Default 55000 (the portal stops at 60 s). */
  answerLimitMs?: number
  /** Expected datetime format of answers. Default `Y-m-d H:i:s`. */
  datetime?: ExpectedDateTime
  /** The portal's `FORMAT_DATETIME` its date filters are written in. Default `DD.MM.YYYY HH:MI:SS`. */
  portalDateFormat?: string
  /** Called when a step starts (progress display). */
  onStep?: (name: string) => void
  /** PEM certificates (a private CA) trusted beside the usual roots for an `https://` connector. Default none. */
  ca?: string
  /** True skips the certificate check of an `https://` connector (a test only). Default false. */
  insecure?: boolean
}

/** One call the probe made (or could not make) and what it found. */
export interface ProbeStep {
  name: string
  /** HTTP status; 0 when there was no answer or the step did not run. */
  status: number
  /** Request to last byte, in milliseconds. */
  ms: number
  /** First byte of the answer to its last, in milliseconds. */
  transferMs: number
  summary: string
  violations: Violation[]
  /** Why the step did not run (a step it needs failed, or nothing to test it on). */
  notRun?: string
}

/** The whole run. */
export interface ProbeReport {
  baseUrl: string
  ok: boolean
  errors: number
  warnings: number
  steps: ProbeStep[]
}

/** A listed table and what the probe learnt about it. */
export interface ProbedTable extends ListedTable {
  /** Described fields; empty when the description failed. */
  fields: DescribedField[]
  types: Map<string, FieldType>
  /** The preview's rows; undefined when the preview failed. */
  preview: ExactValue[][] | undefined
}

/** An answer read whole. */
export interface ProbeAnswer {
  step: ProbeStep
  body: string
}

/** 55 s: the portal stops a transfer at 60 s, and the network needs its share. */
export const ANSWER_LIMIT_MS = (PORTAL_TRANSFER_LIMIT_S - 5) * 1000
const HEADERS_TIMEOUT_MS = 250_000

/** What every probe step gets: the options, the calls made so far and the tables found. */
export class ProbeContext {
  readonly options: ProbeOptions
  readonly base: string
  readonly paths: ConnectorPaths
  readonly datetime: ExpectedDateTime
  readonly dates: PortalDateFormat
  readonly steps: ProbeStep[] = []
  tables: ProbedTable[] = []
  /** Why the last call got no answer at all (no status), in words that point to the fix; undefined after an answer. */
  unanswered: string | undefined
  readonly #dispatcher: Agent | undefined

  constructor (options: ProbeOptions) {
    this.options = options
    this.base = options.baseUrl.replace(/\/+$/, '')
    this.paths = { ...DEFAULT_PATHS, ...options.paths }
    this.datetime = options.datetime ?? 'Y-m-d H:i:s'
    this.dates = portalDateFormat(options.portalDateFormat ?? DEFAULT_PORTAL_DATE_FORMAT)
    this.#dispatcher = options.ca === undefined && options.insecure !== true
      ? undefined
      : new Agent({ connect: { rejectUnauthorized: options.insecure !== true, ...(options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] }) } })
  }

  /** Closes the connections of `--ca` / `--insecure` calls. */
  async close (): Promise<void> {
    await this.#dispatcher?.close()
  }

  /** The settings as the portal sends them. */
  get connection (): Record<string, string> {
    return this.options.settings
  }

  /**
   * POSTs `body` form-encoded as the portal does and reads the answer whole, timing it. Anything but 200 is an error
   * unless `anyStatus`; an answer over the limit (55 s) is an error naming its transfer time.
   */
  async call (name: string, endpoint: keyof ConnectorPaths, body: Record<string, unknown>, anyStatus = false): Promise<ProbeAnswer> {
    this.options.onStep?.(name)
    const step: ProbeStep = { name, status: 0, ms: 0, transferMs: 0, summary: '', violations: [] }
    this.steps.push(step)
    this.unanswered = undefined
    const started = performance.now()
    const abort = new AbortController()
    const timeoutMs = this.options.timeoutMs ?? HEADERS_TIMEOUT_MS
    let timer = setTimeout(() => abort.abort(new Error(`timeout: no answer within ${timeoutMs / 1000} s (--timeout); is the connector stuck, or a proxy holding the call?`)), timeoutMs)
    const url = this.base + this.paths[endpoint]
    let text = ''
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: phpFormEncode(body),
        signal: abort.signal,
        ...(this.#dispatcher === undefined ? {} : { dispatcher: this.#dispatcher })
      })
      const firstByte = performance.now()
      step.status = response.status
      clearTimeout(timer)
      timer = setTimeout(() => abort.abort(new Error(`timeout: the body did not arrive within ${PORTAL_TRANSFER_LIMIT_S} s: the portal stops the transfer`)),
        PORTAL_TRANSFER_LIMIT_S * 1000)
      text = await response.text()
      step.transferMs = Math.round(performance.now() - firstByte)
      if (response.status !== 200 && !anyStatus) this.error(step, `HTTP ${response.status}: the portal accepts only 200 (${text.slice(0, 200)})`)
    } catch (error) {
      const cause = abort.signal.aborted ? (abort.signal.reason as Error).message : networkCause(error, new URL(url))
      this.error(step, `no answer: ${cause}`)
      if (step.status === 0) this.unanswered = cause
    } finally {
      clearTimeout(timer)
    }
    step.ms = Math.round(performance.now() - started)
    const limit = this.options.answerLimitMs ?? ANSWER_LIMIT_MS
    if (step.status !== 0 && step.ms > limit) {
      this.error(step, `the answer took ${seconds(step.ms)} s (its body ${seconds(step.transferMs)} s), over ${seconds(limit)} s: the portal stops ` +
        `a transfer at ${PORTAL_TRANSFER_LIMIT_S} s; add a filter, serve a smaller table or use a faster source`)
    }
    return { step, body: text }
  }

  /** Records a step that did not run and why. */
  notRun (name: string, why: string): void {
    this.steps.push({ name, status: 0, ms: 0, transferMs: 0, summary: `not run: ${why}`, violations: [], notRun: why })
  }

  error (step: ProbeStep, message: string): void {
    step.violations.push({ severity: 'error', message })
  }

  warning (step: ProbeStep, message: string): void {
    step.violations.push({ severity: 'warning', message })
  }

  /** The report of every step so far. */
  report (): ProbeReport {
    const all = this.steps.flatMap((step) => step.violations)
    const errors = all.filter((violation) => violation.severity === 'error').length
    return { baseUrl: this.base, ok: errors === 0, errors, warnings: all.length - errors, steps: this.steps }
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1)

/** `n noun(s)`. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`
