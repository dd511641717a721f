import { FILES_DEFAULTS } from '../../adapters/files/files-options.js'
import { HTTP_DEFAULTS } from '../../adapters/http/http-options.js'
import { SQL_DEFAULTS } from '../../adapters/sql/sql-options.js'
import { FIELD_TYPES } from '../core/field-types.js'
import { RuntimeOptionsSchema } from '../runtime/runtime-options.js'
import { ServerOptionsSchema } from '../server/server-options.js'
import { ADAPTER_OPTIONS } from './adapter-options.js'
import { ConfigSchema } from './config-schema.js'
import { ENV_VARS } from './config-env.js'
import type { DocBlock } from './doc-blocks.js'

/** The part of a JSON Schema node the reference reads. */
interface Node {
  type?: string
  const?: unknown
  anyOf?: Node[]
  items?: Node
  properties?: Record<string, Node>
  patternProperties?: Record<string, Node>
  required?: string[]
  default?: unknown
  description?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  minLength?: number
  minItems?: number
  pattern?: string
}

interface Row {
  path: string
  node: Node
  required: boolean
}

const FIELD_TYPE_NAMES = [...FIELD_TYPES].sort().join()

/** Plain JSON of a TypeBox schema: its keywords, without TypeBox's own symbols. */
function json (schema: unknown): Node {
  return JSON.parse(JSON.stringify(schema)) as Node
}

function objectsOf (node: Node): Node[] {
  if (node.properties !== undefined) return [node]
  if (node.items !== undefined) return objectsOf(node.items)
  return (node.anyOf ?? []).flatMap((member) => member.properties !== undefined ? [member] : [])
}

/**
 * Every setting of an object schema, depth first: a row per key, then the keys of an object inside it (also of an
 * object in a union or a list, written `list[].key`). A union of two or more objects is one row, typed inline.
 */
function rowsOf (node: Node, prefix = ''): Row[] {
  const rows: Row[] = []
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix + key
    rows.push({ path, node: child, required: node.required?.includes(key) ?? false })
    const objects = objectsOf(child)
    if (objects.length === 1) rows.push(...rowsOf(objects[0]!, path + (child.type === 'array' ? '[].' : '.')))
  }
  return rows
}

function range (node: Node): string {
  const low = node.exclusiveMinimum !== undefined ? `> ${node.exclusiveMinimum}` : node.minimum !== undefined ? `≥ ${node.minimum}` : undefined
  if (node.maximum !== undefined && node.minimum !== undefined) return ` ${node.minimum}–${node.maximum}`
  return low === undefined ? '' : ` ${low}`
}

function inlineObject (node: Node): string {
  const keys = Object.entries(node.properties ?? {}).map(([key, child]) =>
    child.const !== undefined ? `${key}: ${typeOf(child)}` : `${key}${node.required?.includes(key) === true ? '' : '?'}`)
  return `{ ${keys.join(', ')} }`
}

/** A schema node's type in a few words: `integer ≥ 1`, `'upper' \| 'as-is'`, `string[]`, `{ [string]: string }`. */
function typeOf (node: Node, inUnion = false): string {
  if (node.const !== undefined) return JSON.stringify(node.const).replaceAll('"', "'")
  if (node.anyOf !== undefined) {
    const consts = node.anyOf.filter((member) => member.const !== undefined).map((member) => String(member.const)).sort().join()
    if (consts === FIELD_TYPE_NAMES) return 'field type'
    return node.anyOf.map((member) => typeOf(member, true)).join(' \\| ')
  }
  switch (node.type) {
    case 'string': {
      const length = node.minLength !== undefined && node.minLength > 1 ? `, ${node.minLength}+ characters` : ''
      return node.pattern !== undefined ? `string (\`${node.pattern}\`)` : `string${length}`
    }
    case 'integer':
    case 'number':
      return node.type + range(node)
    case 'boolean':
      return 'boolean'
    case 'array': {
      const items = node.items === undefined ? 'any' : typeOf(node.items, true)
      const list = items.includes(' ') ? `(${items})[]` : `${items}[]`
      return node.minItems !== undefined ? `${list}, at least ${node.minItems}` : list
    }
    case 'object': {
      const values = Object.values(node.patternProperties ?? {})[0]
      if (values !== undefined) return `{ [string]: ${typeOf(values, true)} }`
      return inUnion ? inlineObject(node) : 'object'
    }
    default:
      return 'any'
  }
}

function valueOf (value: unknown): string {
  if (value === Infinity) return 'none'
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``
}

/** `node.default`, else a named default constant's value for the key (the adapters keep theirs beside the schema). */
function defaultOf (row: Row, defaults: Readonly<Record<string, unknown>>): string {
  const key = row.path.split('.').at(-1)!
  if (row.node.default !== undefined) {
    const value = row.node.default
    return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0 ? '' : valueOf(value)
  }
  if (Object.hasOwn(defaults, key)) return valueOf(defaults[key])
  return row.required ? 'required' : ''
}

function cell (text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}

function description (node: Node): string {
  return cell(node.description ?? '')
}

/** A group's own row says nothing its keys' rows do not: an object with no description, default or env var. */
function bare (row: Row): boolean {
  return row.node.type === 'object' && row.node.properties !== undefined && row.node.description === undefined && envOf(row.path) === ''
}

/** Markdown table of an options object: option, type, default, what it does. */
function optionsTable (schema: unknown, defaults: Readonly<Record<string, unknown>> = {}, skip: readonly string[] = []): string {
  const rows = rowsOf(json(schema)).filter((row) => !bare(row) && !skip.some((path) => row.path === path || row.path.startsWith(path + '.')))
  const lines = rows.map((row) => `| \`${row.path}\` | ${typeOf(row.node)} | ${defaultOf(row, defaults)} | ${description(row.node)} |`)
  return ['| option | type | default | meaning |', '|---|---|---|---|', ...lines].join('\n')
}

function envOf (path: string): string {
  const names = ENV_VARS.filter(([, setting]) => setting === path).map(([name, , kind]) =>
    `\`${name}\`${kind === 'list' ? ' (comma-separated)' : kind === 'json' ? ' (JSON)' : ''}`)
  return names.join(', ')
}

/** Markdown table of `b24bi serve` settings: setting, env vars, type, default, meaning. */
function settingsTable (rows: readonly Row[]): string {
  const lines = rows.filter((row) => !bare(row)).map((row) => `| \`${row.path}\` | ${envOf(row.path)} | ${typeOf(row.node)} | ${defaultOf(row, {})} | ${description(row.node)} |`)
  return ['| setting | env | type | default | meaning |', '|---|---|---|---|---|', ...lines].join('\n')
}

/** Each adapter's named default constants (the SQL adapters share theirs). */
const ADAPTER_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = { demo: FILES_DEFAULTS, files: FILES_DEFAULTS, http: HTTP_DEFAULTS }

/** The adapter types sharing one options schema, in `ADAPTER_OPTIONS` order: `[['postgres', 'mysql', 'clickhouse'], schema]`. */
function adapterGroups (): Array<[types: string[], schema: unknown]> {
  const groups = new Map<unknown, string[]>()
  for (const [type, schema] of Object.entries(ADAPTER_OPTIONS)) groups.set(schema, [...(groups.get(schema) ?? []), type])
  return [...groups].map(([schema, types]) => [types, schema])
}

/**
 * The generated tables of `docs/configuration.md`, from the option schemas (their env vars included): `b24bi serve`'s
 * settings (top level, `install`, `adapter`), each built-in adapter's options, and the library's `buildServer` and
 * runtime options.
 */
export function configReference (): DocBlock[] {
  const serve = rowsOf(json(ConfigSchema))
  const under = (prefix: string): Row[] => serve.filter((row) => row.path === prefix || row.path.startsWith(prefix + '.'))
  return [
    { marker: 'config:serve', markdown: settingsTable(serve.filter((row) => !/^(install|adapter)\b/.test(row.path))) },
    { marker: 'config:install', markdown: settingsTable(under('install')) },
    { marker: 'config:adapter', markdown: settingsTable(under('adapter')) },
    ...adapterGroups().map(([types, schema]) => ({ marker: `config:adapter-${types.join('-')}`, markdown: optionsTable(schema, ADAPTER_DEFAULTS[types[0]!] ?? SQL_DEFAULTS) })),
    { marker: 'config:server-options', markdown: optionsTable(ServerOptionsSchema, {}, ['runtime']) },
    { marker: 'config:runtime-options', markdown: optionsTable(RuntimeOptionsSchema) }
  ]
}
