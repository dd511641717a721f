import type { Static, TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { ERR_CONFIG_INVALID } from '../core/errors.js'

/** What a JSON schema node may hold that the walk reads. */
interface SchemaNode {
  type?: string | string[]
  properties?: Record<string, SchemaNode>
  patternProperties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  items?: SchemaNode
  anyOf?: SchemaNode[]
  [key: string]: unknown
}

/** An option nobody reads: where it is and the names that were possible there. */
export interface UnknownOption {
  /** Dotted path of the unknown key, e.g. `exposure.table`. */
  path: string
  /** The keys known at that place. */
  known: string[]
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)
}

function join (path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`
}

/** Edit distance (insert, delete, substitute, swap of neighbours), case-insensitive. */
function distance (a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array<number>(y.length).fill(0)])
  for (let j = 1; j <= y.length; j++) rows[0]![j] = j
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = best
    }
  }
  return rows[x.length]![y.length]!
}

/** The known name closest to `name` (a typo, a plural, a prefix), or undefined when none is close. */
export function closestName (name: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestScore = Infinity
  for (const candidate of known) {
    const lower = candidate.toLowerCase()
    const score = name.toLowerCase().startsWith(lower) || lower.startsWith(name.toLowerCase())
      ? Math.min(1, Math.abs(candidate.length - name.length))
      : distance(name, candidate)
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return bestScore <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined
}

/**
 * The first key of `value`, at any depth, that `schema` does not declare. Object schemas are closed unless they say
 * `additionalProperties: true` (or give a schema for the extra keys); a union is satisfied when one of its object
 * members knows every key.
 */
export function findUnknownOption (schema: TSchema, value: unknown, path = ''): UnknownOption | undefined {
  const node = schema as SchemaNode
  if (Array.isArray(node.anyOf)) {
    const members = node.anyOf.filter((member) => member.type === 'object' || member.type === 'array' || member.anyOf !== undefined)
    if (members.length === 0) return undefined
    const found = members.map((member) => findUnknownOption(member as TSchema, value, path))
    return found.some((item) => item === undefined) ? undefined : found[0]
  }
  if (Array.isArray(value)) {
    if (node.items === undefined) return undefined
    for (const [index, item] of value.entries()) {
      const found = findUnknownOption(node.items as TSchema, item, join(path, index))
      if (found !== undefined) return found
    }
    return undefined
  }
  if (!isPlainObject(value) || node.type !== 'object') return undefined
  const properties = node.properties ?? {}
  const patterns = Object.entries(node.patternProperties ?? {})
  for (const [key, inner] of Object.entries(value)) {
    const declared = Object.hasOwn(properties, key) ? properties[key] : patterns.find(([pattern]) => new RegExp(pattern, 'u').test(key))?.[1]
    const child = declared ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined)
    if (child === undefined) {
      if (node.additionalProperties === true) continue
      return { path: join(path, key), known: Object.keys(properties) }
    }
    const found = findUnknownOption(child as TSchema, inner, join(path, key))
    if (found !== undefined) return found
  }
  return undefined
}

/** The message for an unknown option: the closest known key, or the list of known keys. */
export function unknownOptionProblem (unknown: UnknownOption): string {
  const key = unknown.path.split('.').at(-1) ?? unknown.path
  const closest = closestName(key, unknown.known)
  if (closest !== undefined) return `is not a known option; did you mean '${closest}'?`
  return unknown.known.length > 0 ? `is not a known option; known here: ${unknown.known.join(', ')}` : 'is not a known option'
}

/**
 * Refuses an unknown key at any depth (`B24BI_ERR_CONFIG_INVALID` naming the path after `prefix` and the closest
 * known key); the values are left to the caller's own checks.
 */
export function checkKnownOptions (schema: TSchema, value: unknown, prefix = ''): void {
  const unknown = findUnknownOption(schema, value)
  if (unknown !== undefined) throw new ERR_CONFIG_INVALID(prefix + unknown.path, unknownOptionProblem(unknown))
}

/** The schema node a TypeBox error's `schemaPath` (`#/properties/a/anyOf/1`) points at. */
function nodeAt (schema: TSchema, pointer: string): SchemaNode | undefined {
  let node: unknown = schema
  for (const part of pointer.replace(/^#\/?/, '').split('/')) {
    if (part === '') continue
    node = (node as Record<string, unknown> | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')]
  }
  return node as SchemaNode | undefined
}

/** What a number must be, in the words every option check uses (`positiveOption` and its siblings). */
function numberExpected (node: SchemaNode): string | undefined {
  if ((node.type !== 'number' && node.type !== 'integer') || node.maximum !== undefined) return undefined
  const kind = node.type === 'integer' ? 'integer' : 'number'
  if (node.exclusiveMinimum === 0 || (kind === 'integer' && node.minimum === 1)) return `must be a positive ${kind}`
  if (node.minimum === 0) return `must be a non-negative ${kind}`
  return undefined
}

function depth (instancePath: string): number {
  return instancePath.split('/').length
}

/** A wrong value: the dotted path of the setting (empty for the whole object) and what it must be. */
export interface InvalidOption {
  path: string
  problem: string
}

/**
 * The first wrong value of `value` against `schema` (unknown keys are `findUnknownOption`'s), or undefined. Of
 * TypeBox's errors the deepest wins (inside a union, the member the value was meant for); a choice of literals
 * is listed (`must be one of 'a', 'b'`) and a number says what it must be (`must be a positive number`).
 */
export function findInvalidOption (schema: TSchema, value: unknown): InvalidOption | undefined {
  if (Value.Check(schema, value)) return undefined
  const all = [...Value.Errors(schema, value)]
  const errors = all.some((error) => error.keyword !== 'anyOf') ? all.filter((error) => error.keyword !== 'anyOf') : all
  const first = errors.reduce((best, error) => depth(error.instancePath) > depth(best.instancePath) ? error : best, errors[0]!)
  const path = first.instancePath.slice(1).replaceAll('/', '.')
  const allowed = errors.filter((error) => error.keyword === 'const' && error.instancePath === first.instancePath)
    .map((error) => `'${String((error.params as { allowedValue?: unknown }).allowedValue)}'`)
  if (allowed.length > 1) return { path, problem: `must be one of ${allowed.join(', ')}` }
  const node = nodeAt(schema, first.schemaPath)
  return { path, problem: (node === undefined ? undefined : numberExpected(node)) ?? first.message }
}

/**
 * Checks options against their schema: an unknown key at any depth, then a wrong value, throws
 * `B24BI_ERR_CONFIG_INVALID` naming the path (after `prefix`, e.g. `adapter.`) and, for a typo, the closest key.
 *
 * @example
 * checkOptions(SqlOptionsSchema, { exposure: { table: {} } }) // throws: 'exposure.table' ... did you mean 'tables'?
 */
export function checkOptions (schema: TSchema, value: unknown, prefix = ''): void {
  checkKnownOptions(schema, value, prefix)
  const invalid = findInvalidOption(schema, value)
  if (invalid !== undefined) throw new ERR_CONFIG_INVALID(prefix + (invalid.path === '' ? 'options' : invalid.path), invalid.problem)
}

/**
 * An options object resolved against its schema, the one declaration of its keys, types and defaults: a copy of
 * `options` with every default applied, checked as `checkOptions` checks. `options` must be plain data (the
 * caller keeps an adapter, a client or a logger apart).
 *
 * @example
 * const options = resolveOptions(RuntimeOptionsSchema, { deadlineSeconds: 30 }) // timeZone 'UTC', ...
 */
export function resolveOptions<T extends TSchema> (schema: T, options: unknown, prefix = ''): Static<T> {
  checkKnownOptions(schema, options, prefix)
  const value: unknown = Value.Default(schema, structuredClone(options))
  const invalid = findInvalidOption(schema, value)
  if (invalid !== undefined) throw new ERR_CONFIG_INVALID(prefix + (invalid.path === '' ? 'options' : invalid.path), invalid.problem)
  return value as Static<T>
}

/** `value` with every object and array inside it frozen (a Buffer is left as it is). */
export function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
