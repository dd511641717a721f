import { Type } from 'typebox'
import type { RateLimit } from '../policy/rate-limiter.js'
import { ERR_CONFIG_INVALID } from '../core/errors.js'
import { countOption, nonNegativeOption, positiveOption } from '../util/option-numbers.js'
import { readPortalDateFormat } from '../filter/portal-date.js'
import type { DateTimeFormat } from '../core/value-format.js'
import { TimeZone } from '../core/time-zone.js'
import { MIN_HASH_KEY_LENGTH } from '../policy/secrets.js'

/** Options of the adapter runtime. Every one has a default; see `RUNTIME_DEFAULTS`. */
export interface RuntimeOptions {
  /** IANA zone datetimes of zone-aware sources are shown in, and filter values are read in. Default 'UTC'. */
  timeZone?: string
  /** How datetimes are written. Default 'Y-m-d H:i:s'. */
  datetimeFormat?: DateTimeFormat
  /**
   * The portal's site date format (`DD.MM.YYYY`, `MM/DD/YYYY`, `DD/MM/YYYY`, `YYYY-MM-DD`, optionally with
   * `HH:MI:SS` or `H:MI:SS T`): decides filter dates like `05/06/2025`. Default none: such a date is a coded 400.
   */
  portalDateFormat?: string
  /** The most rows one urlData answer may hold; a longer answer fails (never cut short). Default: no maximum. */
  maxRows?: number
  /**
   * Seconds an urlData answer may take, from the request to the last byte. The portal stops a transfer after 60 s
   * (whether it counts from the request or the first byte is not documented), so the default leaves 5 s of network
   * margin under the whole of it. Default 55.
   */
  deadlineSeconds?: number
  /** An answer larger than this many MiB is logged as a warning (the portal holds it in memory as one string). Default 256. */
  maxAnswerMegabytes?: number
  /** Seconds a successful check of a credential set is remembered. 0 turns the cache off. Default 60. */
  authCacheSeconds?: number
  /**
   * urlData answers one credential set may have in progress at once; one more is refused with 429
   * `B24BI_ERR_READS_LIMITED` and a Retry-After. Default 2.
   */
  concurrentReadsPerCredential?: number
  /**
   * urlData answers in progress at once, in all; one more is refused with 503 `B24BI_ERR_OVERLOADED`. Never above
   * what the adapter declares it can serve (`capabilities().concurrentReads`, e.g. its pools). Default 64.
   */
  concurrentReads?: number
  /**
   * Seconds an urlData answer may wait on a client that reads nothing; then it is cut and its query cancelled.
   * Default 30.
   */
  stallSeconds?: number
  /**
   * Refused authentications allowed per client address (and per target host in portal mode) within a window;
   * beyond it, 429 `B24BI_ERR_AUTH_THROTTLED`. false turns it off. Default 60 per 60 seconds.
   */
  authFailures?: Partial<RateLimit> | false
  /**
   * The HMAC key of credential hashes (the auth cache and the rate-limit key), at least 32 characters. Default: a
   * random key per process. Replicas sharing a rate-limit store need the same one (`B24BI_HASH_KEY`).
   */
  hashKey?: string
  /** Per table, the adapter's field code mapped to the code the portal sees: `{ deals: { 'created at': 'CREATED_AT' } }`. */
  renameFields?: Readonly<Record<string, Readonly<Record<string, string>>>>
}

/** The defaults, with units. */
export const RUNTIME_DEFAULTS = Object.freeze({
  timeZone: 'UTC',
  datetimeFormat: 'Y-m-d H:i:s' as DateTimeFormat,
  maxRows: Infinity, // rows
  deadlineSeconds: 55, // seconds, under the portal's 60 s transfer limit
  maxAnswerMegabytes: 256, // MiB
  authCacheSeconds: 60, // seconds
  concurrentReadsPerCredential: 2, // answers in progress per credential set
  concurrentReads: 64, // answers in progress in all (lowered to the adapter's capabilities().concurrentReads)
  stallSeconds: 30, // seconds without a read by the client
  authFailures: Object.freeze({ max: 60, windowSeconds: 60 }) // refused authentications per key and window of seconds
})

/** Runtime options with defaults applied, validated and frozen. */
export interface ResolvedRuntimeOptions {
  readonly timeZone: TimeZone
  readonly datetimeFormat: DateTimeFormat
  readonly portalDateFormat: string | undefined
  readonly maxRows: number
  readonly deadlineSeconds: number
  readonly maxAnswerMegabytes: number
  readonly authCacheSeconds: number
  readonly concurrentReadsPerCredential: number
  readonly concurrentReads: number
  readonly stallSeconds: number
  readonly authFailures: Readonly<RateLimit> | false
  readonly renameFields: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly hashKey: string | undefined
}

/** `Infinity` (no limit, the default) or a positive number. */
function unlimitedOr (name: string, value: number): number {
  return value === Infinity ? value : positiveOption(name, value)
}

function checkPortalDateFormat (format: string | undefined): string | undefined {
  readPortalDateFormat(format)
  return format
}

function checkHashKey (key: string | undefined): string | undefined {
  if (key !== undefined && (typeof key !== 'string' || key.length < MIN_HASH_KEY_LENGTH)) {
    throw new ERR_CONFIG_INVALID('hashKey', `must be at least ${MIN_HASH_KEY_LENGTH} characters (openssl rand -hex 32)`)
  }
  return key
}

/** Applies defaults and validates; a wrong option throws `B24BI_ERR_CONFIG_INVALID` naming it. */
export function resolveRuntimeOptions (options: RuntimeOptions): ResolvedRuntimeOptions {
  const datetimeFormat = options.datetimeFormat ?? RUNTIME_DEFAULTS.datetimeFormat
  if (datetimeFormat !== 'Y-m-d H:i:s' && datetimeFormat !== 'iso') {
    throw new ERR_CONFIG_INVALID('datetimeFormat', "must be 'Y-m-d H:i:s' or 'iso'")
  }
  return Object.freeze({
    timeZone: new TimeZone(options.timeZone ?? RUNTIME_DEFAULTS.timeZone),
    datetimeFormat,
    portalDateFormat: checkPortalDateFormat(options.portalDateFormat),
    maxRows: unlimitedOr('maxRows', options.maxRows ?? RUNTIME_DEFAULTS.maxRows),
    deadlineSeconds: positiveOption('deadlineSeconds', options.deadlineSeconds ?? RUNTIME_DEFAULTS.deadlineSeconds),
    maxAnswerMegabytes: positiveOption('maxAnswerMegabytes', options.maxAnswerMegabytes ?? RUNTIME_DEFAULTS.maxAnswerMegabytes),
    authCacheSeconds: nonNegativeOption('authCacheSeconds', options.authCacheSeconds ?? RUNTIME_DEFAULTS.authCacheSeconds),
    concurrentReadsPerCredential: countOption('concurrentReadsPerCredential', options.concurrentReadsPerCredential ?? RUNTIME_DEFAULTS.concurrentReadsPerCredential),
    concurrentReads: countOption('concurrentReads', options.concurrentReads ?? RUNTIME_DEFAULTS.concurrentReads),
    stallSeconds: positiveOption('stallSeconds', options.stallSeconds ?? RUNTIME_DEFAULTS.stallSeconds),
    authFailures: options.authFailures === false
      ? false
      : Object.freeze({
        max: positiveOption('authFailures.max', options.authFailures?.max ?? RUNTIME_DEFAULTS.authFailures.max),
        windowSeconds: positiveOption('authFailures.windowSeconds', options.authFailures?.windowSeconds ?? RUNTIME_DEFAULTS.authFailures.windowSeconds)
      }),
    renameFields: structuredClone(options.renameFields ?? {}),
    hashKey: checkHashKey(options.hashKey)
  })
}

/** `RuntimeOptions` as a schema: the server checks the keys and types it is given against it. */
export const RuntimeOptionsSchema = Type.Object({
  timeZone: Type.Optional(Type.String({ minLength: 1, default: RUNTIME_DEFAULTS.timeZone, description: 'IANA zone datetimes of zone-aware sources are shown in, and filter values are read in' })),
  datetimeFormat: Type.Optional(Type.Union([Type.Literal('Y-m-d H:i:s'), Type.Literal('iso')], { default: RUNTIME_DEFAULTS.datetimeFormat, description: 'how datetimes are written' })),
  portalDateFormat: Type.Optional(Type.String({ minLength: 1, description: "the portal's site date format: decides filter dates like `05/06/2025`; without it such a date is a 400" })),
  maxRows: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'the most rows one urlData answer may hold; a longer answer fails, never cut short; default no maximum' })),
  maxAnswerMegabytes: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: RUNTIME_DEFAULTS.maxAnswerMegabytes, description: 'an answer larger than this many MiB is logged as a warning' })),
  deadlineSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: RUNTIME_DEFAULTS.deadlineSeconds, description: 'seconds an urlData answer may take, from the request to the last byte' })),
  authCacheSeconds: Type.Optional(Type.Number({ minimum: 0, default: RUNTIME_DEFAULTS.authCacheSeconds, description: 'seconds a successful check of a credential set is remembered; 0 turns the cache off' })),
  concurrentReadsPerCredential: Type.Optional(Type.Integer({ minimum: 1, default: RUNTIME_DEFAULTS.concurrentReadsPerCredential, description: 'urlData answers one credential set may have in progress; one more is a 429' })),
  concurrentReads: Type.Optional(Type.Integer({ minimum: 1, default: RUNTIME_DEFAULTS.concurrentReads, description: "urlData answers in progress in all, never above the adapter's `capabilities().concurrentReads`; one more is a 503" })),
  stallSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: RUNTIME_DEFAULTS.stallSeconds, description: 'seconds an answer may wait on a client that reads nothing; then it is cut and its query cancelled' })),
  authFailures: Type.Optional(Type.Union([Type.Literal(false), Type.Object({
    max: Type.Optional(Type.Integer({ minimum: 1, default: RUNTIME_DEFAULTS.authFailures.max, description: 'refused authentications per window' })),
    windowSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: RUNTIME_DEFAULTS.authFailures.windowSeconds, description: 'window length in seconds' }))
  }, { additionalProperties: false })], { description: 'refused authentications allowed per client address (and per target host in portal mode); beyond them a 429; false turns it off' })),
  renameFields: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.String()), { description: "per table, the adapter's field code mapped to the code the portal sees: `{ deals: { 'created at': 'CREATED_AT' } }`" })),
  hashKey: Type.Optional(Type.String({ minLength: MIN_HASH_KEY_LENGTH, description: 'the HMAC key of credential hashes; replicas sharing a rate-limit store need the same one; default random per process' }))
}, { additionalProperties: false })
