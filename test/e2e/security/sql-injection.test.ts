import t from 'tap'
import { createDemoAdapter } from '../../../src/cli/demo.js'
import type { Adapter } from '../../../src/core/adapter.js'
import { ensurePgTables, INJECT_ROWS, PG_ADAPTER, PG_TOKEN, testPool } from '../../helpers/pg-fixture.js'
import { liveServer, postForm } from '../../helpers/live-server.js'

const PAYLOADS = [
  "' OR '1'='1", "1' OR 1=1 --", '1 OR 1=1', '1; DROP TABLE b24bi_inject; --', "x'; DROP TABLE companies; --",
  '" OR ""="', "') OR ('a'='a", '1) OR (1=1', '1 UNION SELECT * FROM pg_user --', "%' OR '%'='", "\\'; SELECT 1; --",
  '*/ OR 1=1 /*', '$1', '?', '$$ OR 1=1 $$', "'||(SELECT version())||'", 'ID" FROM companies; --', 'TITLE`) OR 1=1 #',
  "E'\\x27 OR 1=1'", '\u0000\' OR 1=1', "' OR 'x' LIKE '%", '1e9999', '99999999999999999999999999', "read_csv('/etc/passwd')"
]

interface Target { name: string, table: string, text: string, rows: number, token: string, adapter: () => Promise<Adapter> }

const DEMO_TOKEN = 'inject-demo-token'
const targets: Target[] = [
  { name: 'DuckDB files (demo)', table: 'contacts', text: 'NAME', rows: 20_000, token: DEMO_TOKEN, adapter: async () => await createDemoAdapter({ token: DEMO_TOKEN }) },
  { name: PG_ADAPTER.name, table: 'b24bi_inject', text: 'TITLE', rows: INJECT_ROWS, token: PG_TOKEN, adapter: async () => PG_ADAPTER.create(['b24bi_inject']) }
]

/** Every way a payload reaches SQL: the table, select, filter values on text and number fields, filter keys, LOGIC, mapFields. */
function vectors (table: string, text: string, payload: string): Array<[string, Record<string, unknown>]> {
  return [
    ['table', { table: payload }],
    ['table suffix', { table: `${table}${payload}` }],
    ['select', { table, select: [payload] }],
    ['select after ID', { table, select: ['ID', payload] }],
    ['filter = text', { table, filter: { [text]: payload } }],
    ['filter %text', { table, filter: { [`%${text}`]: payload } }],
    ['filter ~text', { table, filter: { [`~${text}`]: payload } }],
    ['filter text in', { table, filter: { [text]: [payload, `${payload}'`] } }],
    ['filter = ID', { table, filter: { ID: payload } }],
    ['filter key', { table, filter: { [payload]: '1' } }],
    ['filter >= key', { table, filter: { [`>=${payload}`]: '1' } }],
    ['filter nested key', { table, filter: { group: { LOGIC: 'OR', [payload]: '1', ID: '1' } } }],
    ['LOGIC', { table, filter: { LOGIC: payload, ID: '1' } }],
    // A mapFields name selects and filters its field (ID = -1 matches no row): the payload is a name, never SQL.
    ['mapFields', { table, select: [payload], filter: { [payload]: '-1' }, mapFields: { ID: payload } }],
    ['mapFields key', { table, select: ['ID'], mapFields: { [payload]: 'X' } }]
  ]
}

const pool = testPool()
t.teardown(() => pool.end())
await ensurePgTables(pool)

for (const target of targets) {
  t.test(`${target.name}: the SQL-injection corpus through table, select and filter gets no extra row and no 5xx`, async (t) => {
    const server = await liveServer(await target.adapter())
    t.teardown(() => server.app.close())
    const connection = { token: target.token }
    const statuses = new Map<number, number>()
    let extra = 0
    for (const payload of PAYLOADS) {
      for (const [vector, body] of vectors(target.table, target.text, payload)) {
        const answer = await postForm(`${server.url}/api/data`, { connection, ...body })
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        if (answer.status >= 500 || answer.broken) {
          t.fail(`${vector} ${JSON.stringify(payload)}: ${answer.status} ${answer.body.slice(0, 200)}`)
        }
        if (answer.status === 200) {
          const rows = (JSON.parse(answer.body) as unknown[]).length - 1
          if (rows > 0) {
            extra += rows
            t.fail(`${vector} ${JSON.stringify(payload)}: ${rows} rows`)
          }
        }
      }
    }
    t.equal(extra, 0, '0 extra rows')
    t.ok([...statuses].every(([status, count]) => status < 500 || count === 0), `statuses ${JSON.stringify(Object.fromEntries(statuses))}`)
    t.ok(statuses.has(200) && statuses.has(400), 'some payloads were read as values (200, no row), some refused (400)')
    const whole = await postForm(`${server.url}/api/data`, { connection, table: target.table })
    t.equal((JSON.parse(whole.body) as unknown[]).length - 1, target.rows, 'the table is intact')
  })
}
