/** One field where the registered connector differs from what this server would register now. */
export interface DriftItem {
  field: string
  registered: string
  expected: string
}

const COMPARED = ['title', 'description', 'sort', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData', 'supportMapping', 'logo', 'settings']

/** A URL without its query (it may carry `?secret=`), for showing in the page. */
export function shownUrl (value: string): string {
  const at = value.indexOf('?')
  return at < 0 ? value : `${value.slice(0, at)}?…`
}

function settingsText (value: unknown): string {
  if (!Array.isArray(value)) return String(value ?? '')
  return value.map((item) => {
    const setting = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>
    return `${String(setting.code ?? '')}:${String(setting.type ?? '')}`
  }).join(', ')
}

function text (field: string, value: unknown): string {
  if (field === 'settings') return settingsText(value)
  if (field === 'logo') return typeof value === 'string' ? `${value.length} characters` : ''
  if (field.startsWith('url')) return shownUrl(String(value ?? ''))
  if (field === 'supportMapping') return String(value === true || value === 'Y' || value === 'true' || value === '1')
  return String(value ?? '')
}

function same (field: string, registered: unknown, expected: unknown): boolean {
  if (field === 'logo' || field.startsWith('url')) return String(registered ?? '') === String(expected ?? '')
  return text(field, registered) === text(field, expected)
}

/**
 * Compares a connector as the portal answers it with the fields this server would register now
 * (`connectorFields`). URLs are shown without their query and the logo by size: nothing secret reaches the page.
 */
export function connectorDrift (registered: Record<string, unknown>, expected: Record<string, unknown>): DriftItem[] {
  return COMPARED
    .filter((field) => expected[field] !== undefined && !same(field, registered[field], expected[field]))
    .map((field) => ({ field, registered: text(field, registered[field]), expected: text(field, expected[field]) }))
}
