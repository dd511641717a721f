import { Type, type Static } from 'typebox'
import type { RateLimit } from '../policy/rate-limiter.js'
import { readPortalDateFormat } from '../filter/portal-date.js'
import { TimeZone } from '../core/time-zone.js'
import { MIN_HASH_KEY_LENGTH } from '../policy/secrets.js'
import { deepFreeze, resolveOptions } from '../util/strict-options.js'

// Each option is declared once, here: its type, its default (with the unit in the description) and, as `env`,
// the variable `b24bi serve` reads it from. The serve config and the configuration reference are built from it.

/** Refused authentications per client address (and per target host in portal mode); beyond them, 429. */
export const AuthFailuresSchema = Type.Object({
  max: Type.Optional(Type.Integer({
    minimum: 1, default: 60, description: 'refused authentications per window, per client address (and per target host in portal mode)', env: 'B24BI_AUTH_FAILURES_MAX'
  })),
  windowSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 60, description: 'window length in seconds', env: 'B24BI_AUTH_FAILURES_WINDOW_S' }))
}, { additionalProperties: false })

/** The options of the adapter runtime (`new AdapterRuntime(adapter, options)`, `buildServer({ runtime })`). */
export const RuntimeOptionsSchema = Type.Object({
  timeZone: Type.Optional(Type.String({
    minLength: 1, default: 'UTC', description: 'IANA zone datetimes of zone-aware sources are shown in, and filter values are read in', env: 'B24BI_TIME_ZONE'
  })),
  datetimeFormat: Type.Optional(Type.Union([Type.Literal('Y-m-d H:i:s'), Type.Literal('iso')], {
    default: 'Y-m-d H:i:s', description: 'how datetimes are written', env: 'B24BI_DATETIME_FORMAT'
  })),
  portalDateFormat: Type.Optional(Type.String({
    minLength: 1,
    description: "the portal's site date format (`DD.MM.YYYY`, `MM/DD/YYYY`, `DD/MM/YYYY`, `YYYY-MM-DD`, optionally with `HH:MI:SS` or `H:MI:SS T`): " +
      'decides filter dates like `05/06/2025`; without it such a date is a 400',
    env: 'B24BI_PORTAL_DATE_FORMAT'
  })),
  deadlineSeconds: Type.Optional(Type.Number({
    exclusiveMinimum: 0,
    // The portal stops a transfer after 60 s (from the request or the first byte is not documented): 5 s of margin.
    default: 55,
    description: 'seconds an urlData answer may take, from the request to the last byte (the portal stops a transfer at 60 s)',
    env: 'B24BI_DEADLINE_S'
  })),
  maxAnswerMegabytes: Type.Optional(Type.Number({
    exclusiveMinimum: 0, default: 256, description: 'an answer larger than this many MiB is logged as a warning (the portal holds it in memory as one string)', env: 'B24BI_MAX_ANSWER_MB'
  })),
  maxRows: Type.Optional(Type.Integer({
    minimum: 1, description: 'the most rows one urlData answer may hold; a longer answer fails, never cut short; default no maximum', env: 'B24BI_MAX_ROWS'
  })),
  authCacheSeconds: Type.Optional(Type.Number({
    minimum: 0,
    default: 60,
    description: 'seconds a proven credential set is trusted on a replica (at most 10,000 sets); then the adapter checks again; 0 turns the cache off',
    env: 'B24BI_AUTH_CACHE_S'
  })),
  concurrentReadsPerCredential: Type.Optional(Type.Integer({
    minimum: 1,
    default: 2,
    description: 'urlData answers in progress per credential set; one more is a 429 `B24BI_ERR_READS_LIMITED` with Retry-After',
    env: 'B24BI_CONCURRENT_READS_PER_CREDENTIAL'
  })),
  concurrentReads: Type.Optional(Type.Integer({
    minimum: 1,
    default: 64,
    description: "urlData answers in progress in all, never above the adapter's `capabilities().concurrentReads` (its pools); one more is a 503 `B24BI_ERR_OVERLOADED`",
    env: 'B24BI_CONCURRENT_READS'
  })),
  stallSeconds: Type.Optional(Type.Number({
    exclusiveMinimum: 0, default: 30, description: 'seconds an answer may wait on a client that reads nothing; then it is cut and its query cancelled', env: 'B24BI_STALL_S'
  })),
  authFailures: Type.Optional(Type.Union([Type.Literal(false), AuthFailuresSchema], {
    default: {},
    description: 'refused authentications allowed per client address (and per target host in portal mode); beyond them a 429 `B24BI_ERR_AUTH_THROTTLED`; false turns it off'
  })),
  renameFields: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.String()), {
    default: {}, description: "per table, the adapter's field code mapped to the code the portal sees: `{ deals: { 'created at': 'CREATED_AT' } }`"
  })),
  hashKey: Type.Optional(Type.String({
    minLength: MIN_HASH_KEY_LENGTH,
    description: 'the HMAC key of credential hashes (the auth cache and the rate-limit key), the same on every replica; required with a shared store; default random per process',
    env: 'B24BI_HASH_KEY'
  }))
}, { additionalProperties: false })

/** Options of the adapter runtime; every default is in `RuntimeOptionsSchema`. */
export type RuntimeOptions = Static<typeof RuntimeOptionsSchema>

/** Runtime options with the defaults applied, checked and frozen; `timeZone` ready to convert with. */
export type ResolvedRuntimeOptions = Readonly<Omit<Required<RuntimeOptions>, 'timeZone' | 'portalDateFormat' | 'maxRows' | 'authFailures' | 'hashKey'> & {
  timeZone: TimeZone
  portalDateFormat: string | undefined
  /** `Infinity` without a maximum. */
  maxRows: number
  authFailures: Readonly<RateLimit> | false
  hashKey: string | undefined
}>

/**
 * Applies the defaults and checks the options (a wrong one throws `B24BI_ERR_CONFIG_INVALID` naming it). Keys the
 * runtime does not know are left to the caller: `buildServer` refuses them, the connector plugin's options hold
 * Fastify's own beside these.
 */
export function resolveRuntimeOptions (options: RuntimeOptions = {}): ResolvedRuntimeOptions {
  const own = Object.fromEntries(Object.entries(options).filter(([key]) => Object.hasOwn(RuntimeOptionsSchema.properties, key)))
  const { timeZone, maxRows, ...rest } = deepFreeze(resolveOptions(RuntimeOptionsSchema, own))
  readPortalDateFormat(rest.portalDateFormat)
  // Every key with a default holds it now (the schema's defaults were applied).
  return Object.freeze({ ...rest, timeZone: new TimeZone(timeZone!), maxRows: maxRows ?? Infinity }) as ResolvedRuntimeOptions
}
