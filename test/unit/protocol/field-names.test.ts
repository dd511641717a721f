import t from 'tap'
import { answerHeader, bitrixTranslit, fieldResolver, proposedFieldName } from '../../../src/protocol/field-names.js'
import type { FieldInfo } from '../../../src/core/field-types.js'

t.test("bitrixTranslit: CUtil::translit's Russian table, upper case, '_' for the rest", async (t) => {
  const cases: Array<[string, string]> = [
    ['deal_id', 'DEAL_ID'],
    ['Дата создания', 'DATA_SOZDANIYA'],
    ['Сумма', 'SUMMA'],
    ['Объём продаж', 'OBYEM_PRODAZH'],
    ['Щука', 'SHCHUKA'],
    ['Цена, руб.', 'TSENA_RUB'],
    ['Хозяйство', 'KHOZYAYSTVO'],
    ['Ґанок їжак', 'GANOK_IZHAK'],
    ['created at', 'CREATED_AT'],
    ['_id', 'ID'],
    ['a  b', 'A_B'],
    ['a__b', 'A_B'],
    ['x ', 'X_'],
    ['Straße', 'STRA_E'],
    ['€', ''],
    ['2024 sales', '2024_SALES']
  ]
  for (const [code, name] of cases) t.equal(bitrixTranslit(code), name, JSON.stringify(code))
  t.equal(bitrixTranslit('абвгд', 3), 'ABV', 'stops at the maximum length')
  t.equal(bitrixTranslit('щщ', 2), 'SHCH', 'the letter that passes the maximum is written whole, as PHP does')
})

t.test('proposedFieldName: a letter first, at most 32 characters, undefined when nothing is left', async (t) => {
  t.equal(proposedFieldName('deal_id'), 'DEAL_ID')
  t.equal(proposedFieldName('Сумма'), 'SUMMA')
  t.equal(proposedFieldName('2024 sales'), 'SALES')
  t.equal(proposedFieldName('a'.repeat(40)), 'A'.repeat(32))
  t.equal(proposedFieldName('Очень длинное название поля отчёта'), 'OCHEN_DLINNOE_NAZVANIE_POLYA_OTC')
  t.equal(proposedFieldName('123'), undefined)
  t.equal(proposedFieldName('€'), undefined)
  for (const code of ['deal_id', 'Сумма', 'created at', 'Ґанок', 'x'.repeat(50)]) {
    t.match(proposedFieldName(code), /^[A-Z][A-Z0-9_]{0,31}$/, `${code}: a valid dataset field name`)
  }
})

t.test('fieldResolver: a mapFields value, then the exact code, then the proposed name', async (t) => {
  const fields: FieldInfo[] = [
    { code: 'ID', type: 'int' }, { code: 'NAME', type: 'string' }, { code: 'title', type: 'string' }, { code: 'TITLE', type: 'string' },
    { code: 'Сумма', type: 'money' }, { code: 'created at', type: 'date' }, { code: 'created_at', type: 'date' }
  ]
  const code = (name: string, mapFields?: Record<string, string>): string | undefined => fieldResolver(fields, mapFields)(name)?.code
  t.equal(code('ID'), 'ID')
  t.equal(code('ID', { NAME: 'ID' }), 'NAME', 'a mapFields name wins over a code')
  t.equal(code('Deal', { ID: 'Deal' }), 'ID', 'any non-empty text is a name')
  t.equal(code('TITLE'), 'TITLE', 'the exact code wins over a proposed name')
  t.equal(code('title'), 'title')
  t.equal(code('SUMMA'), 'Сумма', 'a Cyrillic code by its transliterated name')
  t.equal(code('summa'), undefined, 'names are case-sensitive')
  t.equal(code('NOPE'), undefined)
  t.throws(() => code('CREATED_AT'), { code: 'B24BI_ERR_FIELD_AMBIGUOUS', message: /'created at', 'created_at'/ })
  t.equal(code('CREATED_AT', { 'created at': 'CREATED_AT' }), 'created at', 'mapFields tells them apart')
  t.throws(() => fieldResolver(fields, { NOPE: 'X' }), { code: 'B24BI_ERR_MAP_FIELDS_INVALID', message: /'NOPE' is not a field/ })
  t.throws(() => fieldResolver(fields, { ID: 'X', NAME: 'X' }), { code: 'B24BI_ERR_MAP_FIELDS_INVALID', message: /'X' is given to two fields/ })
  t.equal(code('constructor'), undefined, 'no prototype keys')
})

t.test('answerHeader: select as sent, else codes (mapped names where given)', async (t) => {
  const fields: FieldInfo[] = [{ code: 'ID', type: 'int' }, { code: 'constructor', type: 'string' }]
  t.same(answerHeader(fields, ['Deal', 'constructor'], { ID: 'Deal' }), ['Deal', 'constructor'])
  t.same(answerHeader(fields, undefined), ['ID', 'constructor'])
  t.same(answerHeader(fields, [], JSON.parse('{"ID":"Deal"}')), ['Deal', 'constructor'], 'a JSON object lends no prototype names')
})
