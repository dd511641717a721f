import { Type } from 'typebox'
import { FIELD_TYPES, type FieldType } from '../../src/field-types.js'

/** Options of the files adapter. */
export interface FilesAdapterOptions {
  /** The folder whose files are the tables (not recursive unless `glob` says so). */
  directory: string
  /**
   * Only the files whose path relative to `directory` matches this glob: `*` and `?` within a folder, `**` across
   * folders, `{csv,tsv}` alternatives; e.g. `exports/**\/*.{csv,parquet}`. The table code is the relative path
   * without the extension, `/` written as `_`. Default: every supported file directly in `directory`.
   */
  glob?: string
  /**
   * When set, the portal must send this value as the `token` setting (compared in constant time).
   * When unset, the adapter declares no settings and accepts every caller: only for public data.
   */
  token?: string
  /**
   * More values accepted as the `token` setting besides `token` (a rotation: `[current, next]`; env
   * `CONNECTOR_TOKENS`). Default none.
   */
  tokens?: readonly string[]
  /** Per table, a column's portal type forced over the inferred one: `{ deals: { ZIP: 'string' } }`. */
  types?: Readonly<Record<string, Readonly<Record<string, FieldType>>>>
  /** DuckDB threads. Default 2. */
  threads?: number
}

/** `FilesAdapterOptions` as a schema: every key the files adapter knows (unknown keys are refused, at any depth). */
export const FilesOptionsSchema = Type.Object({
  directory: Type.String({ minLength: 1, description: 'the folder whose files are the tables' }),
  glob: Type.Optional(Type.String({ minLength: 1 })),
  token: Type.Optional(Type.String({ minLength: 1 })),
  tokens: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  types: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Union(FIELD_TYPES.map((type) => Type.Literal(type)))))),
  threads: Type.Optional(Type.Integer({ minimum: 1 }))
}, { additionalProperties: false })
