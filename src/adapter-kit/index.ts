// What a built-in or a third-party adapter uses besides the contract (which is the root export, `b24bi`).

// The filter an adapter pushes down (`ReadPlan.filter`), and the evaluator the runtime applies to the rest.
export { FILTER_OPS } from '../core/filter-ast.js'
export type { DateTimeValue, FilterCondition, FilterGroup, FilterNode, FilterOp, FilterValue } from '../core/filter-ast.js'
export { compilePredicate } from '../filter/evaluate.js'
export type { CompilePredicateOptions, RowPredicate } from '../filter/evaluate.js'

// Field types and dataset field names.
export { FIELD_TYPES, isTextType, suggestDatasetFieldName } from '../core/field-types.js'

// The source-written path (`readEncoded`): the answer's value formats and the text rows encoder.
export { formatRow } from '../core/value-format.js'
export type { DateTimeFormat, ValueFormatter } from '../core/value-format.js'
export { TextRowsEncoder } from '../core/text-rows.js'
export type { EncodedRows, TextRowsColumns } from '../core/text-rows.js'
export { TimeZone } from '../core/time-zone.js'

// A Retry-After (seconds) on an error answered 429 or 503.
export { withRetryAfter } from '../core/errors.js'

// Drivers, options, globs, retries and values.
export { loadDriver } from '../util/driver-load.js'
export { globToRegExp } from '../util/glob.js'
export type { GlobOptions } from '../util/glob.js'
export { checkKnownOptions, checkOptions, closestName, findUnknownOption, unknownOptionProblem } from '../util/strict-options.js'
export type { UnknownOption } from '../util/strict-options.js'
export { countOption, nonNegativeOption, positiveOption } from '../util/option-numbers.js'
export { retryDelayMs } from '../util/retry-delay.js'
export type { BackoffPolicy } from '../util/retry-delay.js'
export { isCalendarDate } from '../util/calendar-date.js'
export { exactStringify, JsonNumber, parseExactJson } from '../util/exact-json.js'
export type { ExactValue } from '../util/exact-json.js'

// Secrets and hosts.
export { credentialHash, matchesAny, safeEqual } from '../policy/secrets.js'
export { HostGuard } from '../policy/host-guard.js'
export type { HostLookup } from '../policy/host-guard.js'
