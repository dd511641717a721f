import { readFile } from 'node:fs/promises'
import t from 'tap'
import qs from 'qs'
import { phpFormEncode, phpUrlencode } from '../../../src/probe/php-form.js'

const bodies = new URL('../../fixtures/portal-bodies', import.meta.url).pathname
const connection = { token: 'Secret token/1~', host: 'db.example.com', port: '5432' }

async function portalBody (name: string): Promise<string> {
  return (await readFile(`${bodies}/${name}`, 'utf8')).trim()
}

t.test('encodes exactly like the portal (PHP http_build_query)', async (t) => {
  t.equal(phpFormEncode({ connection }), await portalBody('check.txt'))
  t.equal(phpFormEncode({ searchString: 'crm deals', connection }), await portalBody('table_list-search.txt'))
  t.equal(phpFormEncode({ searchString: '', connection }), await portalBody('table_list.txt'))
  t.equal(phpFormEncode({ table: 'crm_deal', connection }), await portalBody('table_description.txt'))
  t.equal(phpFormEncode({ connection, table: 'crm_deal', limit: 20 }), await portalBody('data-preview.txt'))
  t.equal(phpFormEncode({ connection, table: 'crm_deal', select: ['ID', 'TITLE', 'DATE_CREATE', 'OPPORTUNITY'], limit: 1000 }),
    await portalBody('data-select.txt'))
})

t.test('a nested filter gives the same pairs as the portal (JS orders integer keys first)', async (t) => {
  const body = {
    connection,
    table: 'crm_deal',
    select: ['ID', 'TITLE'],
    filter: {
      '>=DATE_CREATE': '01.05.2025 00:00:00',
      '!STAGE_ID': ['LOSE', 'APOLOGY'],
      '%TITLE': 'order #7 (rush)',
      LOGIC: 'AND',
      0: { LOGIC: 'OR', '=ASSIGNED_BY_ID': '1', '><OPPORTUNITY': ['1000', '2500.50'] },
      '!=CLOSED': 'Y'
    },
    limit: '500'
  }
  const ours = phpFormEncode(body).split('&').sort()
  const portal = (await portalBody('data-filter.txt')).split('&').sort()
  t.same(ours, portal)
  t.same(qs.parse(phpFormEncode(body)), body, 'decodes back to the same structure')
})

t.test('drops nulls and empty arrays, keeps empty strings, writes booleans as PHP does', async (t) => {
  t.equal(phpFormEncode({ a: null, b: [], c: '', d: true, e: false, f: undefined }), 'c=&d=1&e=0')
})

t.test('phpUrlencode escapes what PHP escapes', async (t) => {
  t.equal(phpUrlencode("a b!'()*~-_.é"), 'a+b%21%27%28%29%2A%7E-_.%C3%A9')
})
