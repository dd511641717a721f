import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { FilesAdapter } from '../../../adapters/files/index.js'
import { phpFormEncode } from '../../../src/probe/php-form.js'
import { buildServer } from '../../../src/server/index.js'

// The portal's own bodies use this token (test/fixtures/portal-bodies).
const TOKEN = 'Secret token/1~'
const bodies = new URL('../../fixtures/portal-bodies', import.meta.url).pathname

// Codes the way sources name columns: lower case, Cyrillic, a space, and one the portal user renamed (STAGE -> PHASE).
const CSV = [
  'deal_id,title,Сумма,created at,STAGE,zone',
  '1,Rush order,150.5,2025-05-01,WON,Europe/Berlin',
  '2,Small deal,90,2025-05-02,LOSE,Asia/Tokyo',
  '3,rush hour,300,2025-05-03,WON,+03:00',
  '100,Hundred,10,2025-05-04,NEW,UTC',
  '101,After hundred,20,2025-05-05,WON,Europe/Berlin',
  '150,Big,1000,2025-05-06,LOSE,'
].join('\n') + '\n'

interface Answer { statusCode: number, json: () => any, body: string }

async function setup (t: Test): Promise<(body: Record<string, unknown> | string) => Promise<Answer>> {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-names-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  await writeFile(join(directory, 'crm_deal.csv'), CSV)
  const server = await buildServer({ adapter: new FilesAdapter({ directory, token: TOKEN, types: { crm_deal: { zone: 'timezone' } } }), logger: false })
  t.teardown(() => server.close())
  // Form-encoded exactly as the portal's PHP client does, unless a raw body is given.
  return async (body) => await server.inject({
    method: 'POST',
    url: '/api/data',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: typeof body === 'string' ? body : phpFormEncode({ connection: { token: TOKEN }, table: 'crm_deal', ...body })
  })
}

const byFirst = (rows: unknown[][]): unknown[][] => rows.sort((a, b) => Number(a[0]) - Number(b[0]))

t.test('the names the portal proposes: select, filter and header, without mapFields', async (t) => {
  const post = await setup(t)
  const answer = await post({ select: ['DEAL_ID', 'SUMMA', 'CREATED_AT'], filter: { '>SUMMA': '100', '%TITLE': 'rush' } })
  t.equal(answer.statusCode, 200, answer.body)
  const [header, ...rows] = answer.json() as unknown[][]
  t.same(header, ['DEAL_ID', 'SUMMA', 'CREATED_AT'], 'the header echoes select')
  t.same(byFirst(rows), [[1, 150.5, '2025-05-01'], [3, 300, '2025-05-03']])
  const exact = await post({ select: ['deal_id', 'Сумма'], filter: { Сумма: '90' } })
  t.same(exact.json(), [['deal_id', 'Сумма'], [2, 90]], 'exact codes, Cyrillic included, still work')
})

t.test("mapFields (the vendor's Deal style and a renamed field) round-trip through select, filter and header", async (t) => {
  const post = await setup(t)
  const answer = await post({
    select: ['Deal', 'PHASE', 'SUMMA'],
    filter: { '>=Deal': '100', PHASE: ['WON', 'NEW'] },
    mapFields: { deal_id: 'Deal', STAGE: 'PHASE', Сумма: 'SUMMA' }
  })
  t.equal(answer.statusCode, 200, answer.body)
  const [header, ...rows] = answer.json() as unknown[][]
  t.same(header, ['Deal', 'PHASE', 'SUMMA'])
  t.same(byFirst(rows), [[100, 'NEW', 10], [101, 'WON', 20]])
  const preview = await post({ limit: '20', mapFields: { STAGE: 'PHASE' } })
  t.same(preview.json()[0], ['deal_id', 'title', 'Сумма', 'created at', 'PHASE', 'zone'], 'no select: every field in description order, mapped names where given')
})

t.test('a renamed field without mapFields is a coded 400 that names it and supportMapping', async (t) => {
  const post = await setup(t)
  for (const body of [{ select: ['PHASE'] }, { filter: { PHASE: 'WON' } }]) {
    const answer = await post(body)
    t.equal(answer.statusCode, 400)
    t.match(answer.json(), { error: 'B24BI_ERR_FIELD_NOT_FOUND', message: /'PHASE'.*supportMapping/ })
  }
  const badKey = await post({ select: ['X'], mapFields: { nope: 'X' } })
  t.match(badKey.json(), { error: 'B24BI_ERR_MAP_FIELDS_INVALID', message: /'nope' is not a field/ })
})

t.test('a timezone field: described, answered as text, filtered as a string', async (t) => {
  const post = await setup(t)
  const answer = await post({ select: ['DEAL_ID', 'ZONE'], filter: { '%ZONE': 'europe' } })
  t.equal(answer.statusCode, 200, answer.body)
  t.same(byFirst((answer.json() as unknown[][]).slice(1)), [[1, 'Europe/Berlin'], [101, 'Europe/Berlin']])
  const inList = await post({ select: ['DEAL_ID'], filter: { ZONE: ['UTC', '+03:00'] } })
  t.same(byFirst((inList.json() as unknown[][]).slice(1)), [[3], [100]])
})

t.test("the portal's data-mapping body decodes and is answered 200 with the right rows", async (t) => {
  const post = await setup(t)
  const body = (await readFile(join(bodies, 'data-mapping.txt'), 'utf8')).trim()
  const answer = await post(body)
  t.equal(answer.statusCode, 200, answer.body)
  const [header, ...rows] = answer.json() as unknown[][]
  t.same(header, ['DEAL', 'TITLE'])
  t.same(byFirst(rows), [[101, 'After hundred'], [150, 'Big']], 'DEAL > 100, through mapFields deal_id -> DEAL')
})
