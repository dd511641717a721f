import { ERR_FIELD_AMBIGUOUS, ERR_MAP_FIELDS_INVALID } from '../core/errors.js'
import type { FieldInfo } from '../core/field-types.js'

// Bitrix's Russian transliteration table (main module, lang/ru/js_core_translit.php, TRANS_FROM → TRANS_TO),
// with the Ukrainian letters newer versions add. Ъ and Ь map to nothing.
const FROM = 'абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїґ'
const TO = ['a', 'b', 'v', 'g', 'd', 'e', 'ye', 'zh', 'z', 'i', 'y', 'k', 'l', 'm', 'n', 'o', 'p', 'r', 's', 't', 'u', 'f',
  'kh', 'ts', 'ch', 'sh', 'shch', '', 'y', '', 'e', 'yu', 'ya', 'i', 'i', 'g']
const TRANSLIT = new Map<string, string>()
for (let index = 0; index < FROM.length; index++) {
  TRANSLIT.set(FROM[index]!, TO[index]!)
  TRANSLIT.set(FROM[index]!.toUpperCase(), TO[index]!.toUpperCase())
}

const LATIN_OR_DIGIT = /^[a-zA-Z0-9]$/
const SPACE = /^\s$/u

/**
 * Bitrix's `CUtil::translit($text, 'ru', ['change_case' => 'U'])` (and `BX.translit` in the browser), character by
 * character: Latin letters and digits are kept, Cyrillic letters transliterated, whitespace becomes `_` (not at the
 * start, never twice in a row), any other character becomes `_` (not at the start or the very end, never twice in a
 * row), everything upper-cased; it stops once `maxLength` characters are written (the last letter may pass it).
 *
 * @example
 * bitrixTranslit('Дата создания') // 'DATA_SOZDANIYA'
 * bitrixTranslit('deal_id') // 'DEAL_ID'
 */
export function bitrixTranslit (text: string, maxLength = 100): string {
  const chars = [...text]
  let out = ''
  let last = ''
  for (let index = 0; index < chars.length && out.length < maxLength; index++) {
    const char = chars[index]!
    let next: string
    if (LATIN_OR_DIGIT.test(char)) next = char
    else if (SPACE.test(char)) next = index > 0 && last !== '_' ? '_' : ''
    else next = TRANSLIT.get(char) ?? (index > 0 && index !== chars.length - 1 && last !== '_' ? '_' : '')
    if (next === '') continue
    next = next.toUpperCase()
    out += next
    last = next
  }
  return out
}

/**
 * The field name the portal proposes for a connector's field code when a table is created: the code transliterated
 * and upper-cased as {@link bitrixTranslit} does, leading digits dropped (a name starts with a letter), at most 32
 * characters. Undefined when nothing is left (the portal then makes the user type a name).
 *
 * @example
 * proposedFieldName('created at') // 'CREATED_AT'
 * proposedFieldName('Сумма') // 'SUMMA'
 */
export function proposedFieldName (code: string): string | undefined {
  const name = bitrixTranslit(code).replace(/^[^A-Z]+/, '').slice(0, 32)
  return name === '' ? undefined : name
}

/** Finds the field a name in `select` or a filter key stands for; undefined when no field has that name. */
export type FieldResolver = (name: string) => FieldInfo | undefined

/**
 * Resolves the portal's field names to the table's fields, in this order: a `mapFields` value (its key is the
 * field's code), the exact code, then the name the portal proposes for a code ({@link proposedFieldName}).
 * `mapFields` keys must be codes of the table and its values unique (`B24BI_ERR_MAP_FIELDS_INVALID`); a proposed
 * name two codes share answers `B24BI_ERR_FIELD_AMBIGUOUS` when asked for.
 *
 * @example
 * const resolve = fieldResolver(fields, { deal_id: 'Deal' })
 * resolve('Deal') // the field 'deal_id'
 */
export function fieldResolver (fields: readonly FieldInfo[], mapFields?: Readonly<Record<string, string>>): FieldResolver {
  const byCode = new Map(fields.map((field) => [field.code, field]))
  const byMapped = new Map<string, FieldInfo>()
  for (const [code, name] of Object.entries(mapFields ?? {})) {
    const field = byCode.get(code)
    if (field === undefined) throw new ERR_MAP_FIELDS_INVALID(`'${code}' is not a field of the table`)
    if (byMapped.has(name)) throw new ERR_MAP_FIELDS_INVALID(`the name '${name}' is given to two fields`)
    byMapped.set(name, field)
  }
  let byProposed: Map<string, FieldInfo[]> | undefined
  return (name) => {
    const found = byMapped.get(name) ?? byCode.get(name)
    if (found !== undefined) return found
    byProposed ??= proposedNames(fields)
    const candidates = byProposed.get(name)
    if (candidates === undefined) return undefined
    if (candidates.length > 1) throw new ERR_FIELD_AMBIGUOUS(name, candidates.map((field) => `'${field.code}'`).join(', '))
    return candidates[0]
  }
}

function proposedNames (fields: readonly FieldInfo[]): Map<string, FieldInfo[]> {
  const names = new Map<string, FieldInfo[]>()
  for (const field of fields) {
    const name = proposedFieldName(field.code)
    if (name === undefined) continue
    const list = names.get(name)
    if (list === undefined) names.set(name, [field])
    else list.push(field)
  }
  return names
}

/**
 * The header of an answer: `select` exactly as the portal sent it; without `select`, every field in description
 * order under its `mapFields` name when one is given, else under its code.
 */
export function answerHeader (
  fields: readonly FieldInfo[],
  select: readonly string[] | undefined,
  mapFields?: Readonly<Record<string, string>>
): string[] {
  if (select !== undefined && select.length > 0) return [...select]
  return fields.map((field) => mapFields !== undefined && Object.hasOwn(mapFields, field.code) ? mapFields[field.code]! : field.code)
}
