import { Type } from 'typebox'
import { FIELD_TYPES, type FieldType } from '../../src/core/field-types.js'

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
  /** DuckDB worker threads (DuckDB's `threads` setting). Default 2. */
  threads?: number
  /**
   * DuckDB's `memory_limit`, in MiB: the most its buffers may hold. Beyond it DuckDB spills into a folder of its own
   * under the system's temporary folder (removed on close; never `.tmp` in the working directory), and a read that
   * cannot spill fails with a coded 502 rather than growing the process. Default 256.
   */
  memoryLimitMegabytes?: number
  /**
   * Reads streaming at once; more wait their turn. The runtime admits no more urlData answers than this (503 beyond).
   * Each read holds one libuv thread while DuckDB fills a chunk (`b24bi serve` raises UV_THREADPOOL_SIZE above it).
   * Default 4.
   */
  concurrentReads?: number
}

/** Defaults of the DuckDB settings, with units. */
export const FILES_DEFAULTS = Object.freeze({
  threads: 2, // DuckDB worker threads
  memoryLimitMegabytes: 256, // MiB
  concurrentReads: 4, // reads streaming at once
  // After a task that allocated more than this, DuckDB hands the memory back to the system (its default is 128 MiB).
  allocatorFlushMegabytes: 8 // MiB
})

/** `FilesAdapterOptions` as a schema: every key the files adapter knows (unknown keys are refused, at any depth). */
export const FilesOptionsSchema = Type.Object({
  directory: Type.String({ minLength: 1, description: 'the folder whose files are the tables' }),
  glob: Type.Optional(Type.String({ minLength: 1, description: 'only the files whose path relative to `directory` matches (`*`, `?`, `**` across folders, `{csv,parquet}`); default every supported file directly in `directory`' })),
  token: Type.Optional(Type.String({ minLength: 1, description: 'the value the portal must send as the `token` setting; without it the adapter asks for no setting and accepts every caller (public data only)' })),
  tokens: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'more values accepted as `token` (a rotation)' })),
  types: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Union(FIELD_TYPES.map((type) => Type.Literal(type)))), { description: "per table, a column's portal type forced over the inferred one: `{ deals: { ZIP: 'string' } }`" })),
  threads: Type.Optional(Type.Integer({ minimum: 1, description: 'DuckDB worker threads' })),
  memoryLimitMegabytes: Type.Optional(Type.Integer({ minimum: 16, description: "DuckDB's memory limit in MiB; beyond it DuckDB spills into a temporary folder of its own" })),
  concurrentReads: Type.Optional(Type.Integer({ minimum: 1, description: 'reads streaming at once; more wait their turn' }))
}, { additionalProperties: false })
