/**
 * A vendor error. Method errors of `biconnector.*` are answered inside `result` with HTTP 200
 * (`{"result":{"error":{"error":"...","error_description":"..."}}}`); system errors (`status` not 200,
 * or `topLevel`) at the top level, as the portal does.
 */
export class PortalError extends TypeError {
  constructor (readonly vendorCode: string, readonly description: string, readonly status = 200, readonly topLevel = status !== 200) {
    super(description)
  }
}

const READ_ONLY = ['id', 'dateCreate', 'dateUpdate', 'createdById', 'updatedById']

/** The `fields` parameter, or `VALIDATION_FIELDS_NOT_PROVIDED`. */
export function fieldsOf (params: Record<string, unknown>): Record<string, unknown> {
  const fields = params.fields
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new PortalError('VALIDATION_FIELDS_NOT_PROVIDED', 'Fields not provided.')
  }
  return fields as Record<string, unknown>
}

/** Read-only, unknown and missing required fields, in the portal's order of checks. */
export function validateKnown (fields: Record<string, unknown>, known: readonly string[], required: readonly string[] | undefined): void {
  const readOnly = Object.keys(fields).find((key) => READ_ONLY.includes(key))
  if (readOnly !== undefined) throw new PortalError('VALIDATION_READ_ONLY_FIELD', `Field "${readOnly}" is read only.`)
  const unknown = Object.keys(fields).filter((key) => !known.includes(key))
  if (unknown.length > 0) throw new PortalError('VALIDATION_UNKNOWN_PARAMETERS', `Unknown parameters: ${unknown.join(', ')}`)
  for (const key of required ?? []) {
    if (fields[key] === undefined || fields[key] === '') throw new PortalError('VALIDATION_REQUIRED_FIELD_MISSING', `Field "${key}" is required.`)
  }
}

/** `VALIDATION_INVALID_FIELD_TYPE` when `fields[key]` is given and not `ok`. */
export function validateType (fields: Record<string, unknown>, key: string, type: string, ok: (value: unknown) => boolean): void {
  if (fields[key] !== undefined && !ok(fields[key])) throw new PortalError('VALIDATION_INVALID_FIELD_TYPE', `Field "${key}" must be of type ${type}.`)
}

/** The `id` parameter as a positive integer. */
export function idOf (params: Record<string, unknown>): number {
  if (params.id === undefined) throw new PortalError('VALIDATION_ID_NOT_PROVIDED', 'ID is missing.')
  const id = Number(params.id)
  if (!Number.isInteger(id) || id <= 0) throw new PortalError('VALIDATION_INVALID_ID_FORMAT', 'ID has to be a positive integer.')
  return id
}

/** A list filter as the docs describe the simple cases: `field`, `=field`, `!field`, `%field`, `@field` (IN). */
function matches (item: Record<string, unknown>, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, value]) => {
    const operator = /^(!@|!=|!|@|=%|%=|%|=)?/.exec(key)?.[0] ?? ''
    const actual = String(item[key.slice(operator.length)] ?? '')
    const values = Array.isArray(value) ? value.map(String) : [String(value)]
    switch (operator) {
      case '@': return values.includes(actual)
      case '!@': return !values.includes(actual)
      case '!': case '!=': return actual !== String(value)
      case '%': return actual.includes(String(value))
      case '=%': case '%=': {
        const pattern = String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*')
        return new RegExp(`^${pattern}$`, 's').test(actual)
      }
      default: return actual === String(value)
    }
  })
}

/** Items a page of a `biconnector.*` list holds. */
export const PAGE_SIZE = 50

/**
 * One page of a list, as the newest docs describe it: `page` from 1 (anything not a positive integer is page 1),
 * 50 items, no `total`, no `next`; `start` is ignored.
 */
export function listPage (items: ReadonlyArray<Record<string, unknown>>, params: Record<string, unknown>): { result: unknown[] } {
  const filter = (params.filter ?? {}) as Record<string, unknown>
  const select = Array.isArray(params.select) && !params.select.includes('*') ? params.select as string[] : undefined
  const requested = Number(params.page)
  const page = Number.isInteger(requested) && requested > 0 ? requested : 1
  const found = items.filter((item) => matches(item, filter))
  const result = found.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((item) => {
    return select === undefined ? item : Object.fromEntries(Object.entries(item).filter(([key]) => select.includes(key)))
  })
  return { result }
}
