/**
 * The field types the portal knows. `money` is read by the portal like `double`; `timezone` holds a time zone
 * identifier (`Europe/Berlin`) as a string, and the portal applies no offset to REST sources' data because of it.
 */
export const FIELD_TYPES = ['int', 'string', 'double', 'date', 'datetime', 'money', 'timezone'] as const

/** One of the portal's field types. */
export type FieldType = typeof FIELD_TYPES[number]

/** True for the types whose values are text (`string`, `timezone`): compared, matched and filtered as strings. */
export function isTextType (type: FieldType): boolean {
  return type === 'string' || type === 'timezone'
}

/** A field of a table, as the table description answers it. */
export interface FieldInfo {
  /** The code the portal sees and sends back in `select` and `filter`. */
  code: string
  /** A human name shown in the portal; defaults to the code. */
  name?: string
  /** The portal type the values are formatted as. */
  type: FieldType
  /**
   * The adapter's own name for the field when the portal-facing `code` was renamed
   * (see the runtime's `renameFields` option). Adapters read `source ?? code`.
   */
  source?: string
  /**
   * For `datetime` fields: true when the source stores instants (e.g. `timestamptz`). Values are then
   * converted to the configured zone and filter values are compared as instants. Default false: wall times as stored.
   */
  zoned?: boolean
}

/** A table as the table list answers it. */
export interface TableInfo {
  /** An optional identifier the table list answers beside `code` and `title` (the protocol allows it). */
  id?: string | number
  /** The code the portal sends back as `table`. */
  code: string
  /** A human title; defaults to the code. */
  title?: string
  /** A longer description, shown by the CLI probe and in the docs. */
  description?: string
}

const DATASET_FIELD_NAME = /^[A-Z][A-Z0-9_]{0,31}$/

/**
 * True when `code` can be used as a dataset field name in BI Builder:
 * starts with a letter, only A-Z, digits and `_`, at most 32 characters.
 */
export function isDatasetFieldName (code: string): boolean {
  return DATASET_FIELD_NAME.test(code)
}

/** A dataset-safe name for `code`: upper-cased, other characters as `_`, a letter first, cut to 32. */
export function suggestDatasetFieldName (code: string): string {
  let name = code.toUpperCase().replace(/[^A-Z0-9_]/g, '_')
  if (!/^[A-Z]/.test(name)) name = `F_${name}`
  return name.slice(0, 32)
}
