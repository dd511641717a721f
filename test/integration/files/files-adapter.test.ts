import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import t, { type Test } from 'tap'
import { FilesAdapter, type FilesAdapterOptions } from '../../../adapters/files/index.js'
import { globToRegExp } from '../../../src/util/glob.js'
import { buildServer } from '../../../src/server/index.js'
import { conformance } from '../../../src/testing/index.js'

const TOKEN = 'files-token-8e21c4'
const ROWS = Array.from({ length: 40 }, (_, i) => ({
  ID: i + 1,
  NAME: ['Anna', 'Boris', 'chen', 'Daria', ''][i % 5]!,
  AMOUNT: Number(((i * 37) % 1000 / 8).toFixed(3)),
  DAY: `2025-${String(1 + i % 12).padStart(2, '0')}-${String(1 + i % 28).padStart(2, '0')}`,
  AT: `2025-03-${String(1 + i % 28).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:15:00`
}))

async function writeAll (directory: string): Promise<void> {
  const header = 'ID,NAME,AMOUNT,DAY,AT'
  const line = (row: typeof ROWS[number], sep: string): string => [row.ID, row.NAME, row.AMOUNT, row.DAY, row.AT].join(sep)
  await writeFile(join(directory, 'people_csv.csv'), [header, ...ROWS.map((row) => line(row, ','))].join('\n') + '\n')
  await writeFile(join(directory, 'people_tsv.tsv'), [header.replaceAll(',', '\t'), ...ROWS.map((row) => line(row, '\t'))].join('\n') + '\n')
  await writeFile(join(directory, 'people_json.json'), JSON.stringify(ROWS))
  await writeFile(join(directory, 'people_ndjson.ndjson'), ROWS.map((row) => JSON.stringify(row)).join('\n') + '\n')
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  await connection.run(`COPY (SELECT * FROM read_csv('${join(directory, 'people_csv.csv')}', header = true)) TO '${join(directory, 'people_parquet.parquet')}' (FORMAT parquet)`)
  connection.closeSync()
  instance.closeSync()
}

async function setup (t: Test, options: Partial<FilesAdapterOptions> = {}): Promise<{ directory: string, post: (url: string, body: Record<string, unknown>) => Promise<unknown> }> {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-files-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  await writeAll(directory)
  const server = await buildServer({ adapter: new FilesAdapter({ directory, token: TOKEN, ...options }), logger: false })
  t.teardown(() => server.close())
  const post = async (url: string, body: Record<string, unknown>): Promise<unknown> =>
    (await server.inject({ method: 'POST', url, payload: { connection: { token: TOKEN }, ...body } })).json()
  return { directory, post }
}

t.test('CSV, TSV, JSON, NDJSON and Parquet: same types, same rows', async (t) => {
  const { post } = await setup(t)
  const tables = (await post('/api/table_list', {}) as Array<{ code: string }>).map((table) => table.code)
  t.same(tables, ['people_csv', 'people_json', 'people_ndjson', 'people_parquet', 'people_tsv'])
  for (const table of tables) {
    const fields = await post('/api/table_description', { table }) as Array<{ code: string, type: string }>
    t.same(fields.map((field) => `${field.code}:${field.type}`), ['ID:int', 'NAME:string', 'AMOUNT:double', 'DAY:date', 'AT:datetime'], `${table} types inferred`)
    const data = await post('/api/data', { table, filter: { '>=ID': '3', '<=ID': '5' } }) as unknown[][]
    t.same(data.slice(1).map((row) => row.slice(0, 1).concat(row.slice(3))), ROWS.slice(2, 5).map((row) => [row.ID, row.DAY, row.AT]), `${table} rows`)
  }
})

t.test('type overrides win over inference', async (t) => {
  const { post } = await setup(t, { types: { people_csv: { ID: 'string', AMOUNT: 'money' } } })
  const fields = await post('/api/table_description', { table: 'people_csv' }) as Array<{ code: string, type: string }>
  t.same(fields.slice(0, 3).map((field) => field.type), ['string', 'string', 'money'])
  const data = await post('/api/data', { table: 'people_csv', select: ['ID'], limit: 2 }) as unknown[][]
  t.same(data, [['ID'], ['1'], ['2']])
})

t.test('files added while running appear in the table list; removed ones disappear', async (t) => {
  const { directory, post } = await setup(t)
  const codes = async (): Promise<string[]> => (await post('/api/table_list', {}) as Array<{ code: string }>).map((table) => table.code)
  t.notOk((await codes()).includes('late_arrival'))
  await writeFile(join(directory, 'late_arrival.csv'), 'ID,NOTE\n1,hello\n')
  t.ok((await codes()).includes('late_arrival'), 'the new file is listed')
  t.same(await post('/api/data', { table: 'late_arrival' }), [['ID', 'NOTE'], [1, 'hello']], 'and read')
  await rm(join(directory, 'late_arrival.csv'))
  t.notOk((await codes()).includes('late_arrival'), 'the removed file is gone')
})

t.test('a file rewritten with other columns is described anew, without a table list in between', async (t) => {
  const { directory, post } = await setup(t)
  await writeFile(join(directory, 'changing.csv'), 'ID,NOTE\n1,hello\n')
  t.same(await post('/api/data', { table: 'changing' }), [['ID', 'NOTE'], [1, 'hello']])
  // A later modification time, whatever the file system's timestamp resolution.
  await new Promise((resolve) => setTimeout(resolve, 20))
  await writeFile(join(directory, 'changing.csv'), 'ID,NOTE,AMOUNT\n2,again,3.5\n')
  const later = new Date(Date.now() + 2000)
  await utimes(join(directory, 'changing.csv'), later, later)
  t.same(await post('/api/data', { table: 'changing' }), [['ID', 'NOTE', 'AMOUNT'], [2, 'again', 3.5]], 'the new column is there')
})

t.test('a glob selects files across folders', async (t) => {
  const { directory } = await setup(t)
  await mkdir(join(directory, 'exports', '2025'), { recursive: true })
  await writeFile(join(directory, 'exports', '2025', 'march.csv'), 'ID\n1\n')
  const adapter = new FilesAdapter({ directory, glob: '**/*.{csv,tsv}' })
  const server = await buildServer({ adapter, logger: false })
  t.teardown(() => server.close())
  const list = (await server.inject({ method: 'POST', url: '/api/table_list', payload: { connection: {} } })).json() as Array<{ code: string }>
  t.same(list.map((table) => table.code), ['exports_2025_march', 'people_csv', 'people_tsv'])
  t.ok(globToRegExp('exports/**/*.csv').test('exports/a/b/c.csv'))
  t.notOk(globToRegExp('*.csv').test('exports/c.csv'))
  t.throws(() => globToRegExp('{a,b'), { code: 'B24BI_ERR_CONFIG_INVALID' })
})

t.test('the conformance kit passes over a folder of files', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-files-kit-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  await writeAll(directory)
  await conformance(t, {
    adapter: new FilesAdapter({ directory, token: TOKEN }),
    connection: { token: TOKEN },
    secrets: [TOKEN],
    sample: { table: 'people_parquet', seed: 3 }
  })
})
