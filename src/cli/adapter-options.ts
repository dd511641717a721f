import { Type, type TSchema } from 'typebox'
import { FilesOptionsSchema } from '../../adapters/files/files-options.js'
import { HttpOptionsSchema } from '../../adapters/http/http-options.js'
import { SqlOptionsSchema } from '../../adapters/sql/sql-options.js'

// Only option schemas are imported here (no adapter, no driver): `b24bi serve` checks the configured adapter's
// options before it loads the adapter.

const SqliteOptionsSchema = Type.Omit(SqlOptionsSchema, ['portal', 'poolSize'])

/** The demo's options: the token the portal must send, more accepted ones (CONNECTOR_TOKENS) and the DuckDB settings of the files adapter. */
const DemoOptionsSchema = Type.Object({
  token: Type.Optional(Type.String({ minLength: 1, description: 'the value the portal must send as the `token` setting; default CONNECTOR_TOKEN, else `demo` (with a warning)' })),
  ...Type.Pick(FilesOptionsSchema, ['tokens', 'threads', 'memoryLimitMegabytes', 'concurrentReads']).properties
}, { additionalProperties: false })

/** The options each built-in adapter type of `b24bi serve` takes (flat under `adapter`, next to `type`). */
export const ADAPTER_OPTIONS: Readonly<Record<string, TSchema>> = Object.freeze({
  demo: DemoOptionsSchema,
  files: FilesOptionsSchema,
  postgres: SqlOptionsSchema,
  mysql: SqlOptionsSchema,
  sqlite: SqliteOptionsSchema,
  clickhouse: SqlOptionsSchema,
  http: HttpOptionsSchema
})

/** Every adapter type `b24bi serve` knows: the built-in ones and `module`. */
export const ADAPTER_TYPES: readonly string[] = [...Object.keys(ADAPTER_OPTIONS), 'module']

/** The `adapter` object for one type: `type` plus that adapter's options (for `module`: any options). */
function adapterVariant (type: string, options: TSchema | undefined): TSchema {
  if (options === undefined) {
    return Type.Object({
      type: Type.Literal('module'),
      module: Type.String({ minLength: 1, description: 'a package name or a file path (relative to the working directory)' })
    }, { additionalProperties: true, description: "module: other keys are the module's options" })
  }
  const properties = (options as unknown as { properties: Record<string, TSchema> }).properties
  return Type.Object({ type: Type.Literal(type), ...properties }, { additionalProperties: false })
}

/** `adapter` as JSON Schema: one variant per adapter type, told apart by `type`. */
export function adapterConfigSchema (): TSchema {
  return Type.Union(ADAPTER_TYPES.map((type) => adapterVariant(type, ADAPTER_OPTIONS[type])))
}
