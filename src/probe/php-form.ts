import qs from 'qs'

/** PHP's `urlencode`: letters, digits and `-_.` stay, a space becomes `+`, every other byte is `%XX`. */
export function phpUrlencode (text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}

function phpScalars (value: unknown): unknown {
  if (value === true) return '1'
  if (value === false) return '0'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return value.map(phpScalars)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, phpScalars(item)]))
  }
  return value
}

/**
 * Encodes `body` the way the portal posts it (PHP `http_build_query`): bracket notation with explicit indexes,
 * brackets and operator characters percent-encoded, spaces as `+`, booleans as `1`/`0`,
 * nulls and empty arrays left out, empty strings kept.
 *
 * @example
 * phpFormEncode({ table: 'deals', select: ['ID'], filter: { '>=DATE': '01.05.2025' } })
 * // 'table=deals&select%5B0%5D=ID&filter%5B%3E%3DDATE%5D=01.05.2025'
 */
export function phpFormEncode (body: Record<string, unknown>): string {
  return qs.stringify(phpScalars(body), {
    encodeValuesOnly: false,
    arrayFormat: 'indices',
    skipNulls: true,
    encoder: (text: unknown) => phpUrlencode(String(text))
  })
}
