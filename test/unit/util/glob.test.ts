import t from 'tap'
import { isExposed, resolveSqlOptions } from '../../../adapters/sql/sql-options.js'
import { globToRegExp } from '../../../src/util/glob.js'

t.test('one glob dialect: *, ?, ** and {a,b}; dots and everything else literal', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['*.csv', 'deals.csv', true], ['*.csv', 'a/deals.csv', false], ['**/*.csv', 'a/b/deals.csv', true], ['**/*.csv', 'deals.csv', true],
    ['deal?.csv', 'deals.csv', true], ['deal?.csv', 'deal/.csv', false], ['*.{csv,parquet}', 'x.parquet', true], ['*.{csv,parquet}', 'x.tsv', false],
    ['a.b', 'axb', false], ['a+b(c)', 'a+b(c)', true], ['.hidden', '.hidden', true], ['Deals.csv', 'deals.csv', false]
  ]
  for (const [glob, path, expected] of cases) t.equal(globToRegExp(glob).test(path), expected, `${glob} ${expected ? 'matches' : 'does not match'} ${path}`)
  t.ok(globToRegExp('Deals.*', { ignoreCase: true }).test('deals.csv'), 'ignoreCase for names')
  t.throws(() => globToRegExp('*.{csv'), { code: 'B24BI_ERR_CONFIG_INVALID', message: /'glob'/ })
})

t.test('the SQL exposure lists read the same dialect as the files adapter (was a second, *-only compiler)', async (t) => {
  const exposure = { schemas: { allow: ['sales', 'crm_?'] }, tables: { deny: ['*_{secret,private}', 'sales.audit*'] } }
  t.ok(isExposed(exposure, 'sales', 'deals'))
  t.ok(isExposed(exposure, 'CRM_1', 'deals'), '? is one character, any case')
  t.notOk(isExposed(exposure, 'crm_12', 'deals'))
  t.notOk(isExposed(exposure, 'sales', 'keys_secret'), '{a,b} alternatives')
  t.notOk(isExposed(exposure, 'sales', 'keys_private'))
  t.notOk(isExposed(exposure, 'sales', 'audit_log'), 'a pattern with a dot matches schema.table')
  t.ok(isExposed({ tables: { allow: ['a.b'] } }, 'a', 'b'))
  t.notOk(isExposed({ tables: { allow: ['a.b'] } }, 'a', 'b2'))
})

t.test('a malformed exposure pattern fails at construction, naming the list', async (t) => {
  t.throws(() => resolveSqlOptions({ url: 'postgres://x@h/db', token: 'a-long-token', exposure: { tables: { deny: ['*_{secret'] } } }, 'postgres'),
    { code: 'B24BI_ERR_CONFIG_INVALID', message: /exposure\.tables\.deny/ })
})
