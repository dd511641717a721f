import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import pino from 'pino'
import t, { type Test } from 'tap'
import { DuckDbDriver } from '../../../adapters/files/duckdb-driver.js'
import { FilesAdapter } from '../../../adapters/files/index.js'
import { buildServer } from '../../../src/server/index.js'

const silent = pino({ level: 'silent' })

async function folder (t: Test): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-duckdb-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  return directory
}

function openDriver (t: Test, directory: string): DuckDbDriver {
  const driver = new DuckDbDriver({ directory, threads: 1, memoryLimitMegabytes: 64, allocatorFlushMegabytes: 8 })
  t.teardown(() => driver.close())
  return driver
}

async function drain (batches: AsyncIterable<unknown[][]>): Promise<unknown[][]> {
  const rows: unknown[][] = []
  for await (const batch of batches) rows.push(...batch)
  return rows
}

// A query DuckDB works on for minutes: only an interrupt ends it early.
const ENDLESS = { sql: 'SELECT sum(a.i * b.i) FROM range(100000000) a(i), range(100000000) b(i)', parameters: [] }

t.test('the statement timeout interrupts a running query: a coded 504', async (t) => {
  const driver = openDriver(t, await folder(t))
  const started = Date.now()
  const read = async (): Promise<unknown[][]> => await drain(driver.stream(ENDLESS, { signal: new AbortController().signal, timeoutMs: 300, batchSize: 1000, log: silent }))
  await t.rejects(read(), { code: 'B24BI_ERR_QUERY_TIMEOUT', statusCode: 504 })
  t.comment(`interrupted after ${Date.now() - started} ms`)
})

t.test('an aborted read interrupts its query and ends with the abort', async (t) => {
  const driver = openDriver(t, await folder(t))
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('client gone')), 300)
  const read = async (): Promise<unknown[][]> => await drain(driver.stream(ENDLESS, { signal: controller.signal, timeoutMs: 600_000, batchSize: 1000, log: silent }))
  await t.rejects(read(), /interrupt/i, "DuckDB's interruption, not a timeout")
})

t.test('a file DuckDB cannot read is left out with a warning, and served once it is readable', async (t) => {
  const directory = await folder(t)
  await writeFile(join(directory, 'good.csv'), 'ID\n1\n')
  await writeFile(join(directory, 'broken.parquet'), 'not parquet at all')
  const warnings: string[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) })
  const driver = openDriver(t, directory)
  const tables = async (): Promise<string[]> => [...new Set((await driver.introspect(log)).columns.map((column) => column.table))]
  t.same(await tables(), ['good'], 'the unreadable file is not listed')
  t.same(warnings, ['a file DuckDB cannot read is not served'])
  t.same(await tables(), ['good'], 'and not tried again while it is unchanged')
  t.equal(warnings.length, 1, 'so warned once')
  await rm(join(directory, 'broken.parquet'))
  await writeFile(join(directory, 'broken.csv'), 'ID\n2\n')
  t.same(await tables(), ['broken', 'good'], 'a readable file under the name is served')
})

t.test('two files whose codes differ only in letter case: the first is served, the second named in a warning', async (t) => {
  const directory = await folder(t)
  await writeFile(join(directory, 'Deals.csv'), 'ID\n1\n')
  await writeFile(join(directory, 'deals.csv'), 'ID\n2\n')
  const warnings: unknown[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) })
  const driver = openDriver(t, directory)
  t.same([...new Set((await driver.introspect(log)).columns.map((column) => column.table))], ['Deals'])
  t.match(warnings, [{ table: 'Deals', file: 'deals.csv' }])
})

t.test('a removed file is dropped: reading it is an unknown table, not stale rows', async (t) => {
  const directory = await folder(t)
  await writeFile(join(directory, 'gone.csv'), 'ID\n1\n')
  const server = await buildServer({ adapter: new FilesAdapter({ directory }), logger: false })
  t.teardown(() => server.close())
  const read = async (): Promise<{ statusCode: number, json: () => any }> =>
    await server.inject({ method: 'POST', url: '/api/data', payload: { connection: {}, table: 'gone' } })
  t.same((await read()).json(), [['ID'], [1]])
  await rm(join(directory, 'gone.csv'))
  const answer = await read()
  t.equal(answer.statusCode, 404)
  t.equal(answer.json().error, 'B24BI_ERR_TABLE_NOT_FOUND')
})

t.test("DuckDB spills into a folder of its own under the system's temporary folder, removed on close", async (t) => {
  const driver = new DuckDbDriver({ directory: await folder(t), threads: 1, memoryLimitMegabytes: 64, allocatorFlushMegabytes: 8 })
  const [[spill]] = await drain(driver.stream({ sql: "SELECT current_setting('temp_directory')", parameters: [] },
    { signal: new AbortController().signal, timeoutMs: 10_000, batchSize: 1000, log: silent })) as [[string]]
  t.equal(dirname(spill), tmpdir(), 'not `.tmp` in the working directory')
  t.match(basename(spill), /^b24bi-duckdb-/)
  t.ok(existsSync(spill), 'it exists while the instance does')
  await driver.close()
  t.notOk(existsSync(spill), 'and is removed with it')
})

t.test('without a writable temporary folder DuckDB opens all the same and spills nothing', async (t) => {
  const directory = await folder(t)
  await writeFile(join(directory, 'small.csv'), 'ID\n1\n')
  const saved = process.env.TMPDIR
  process.env.TMPDIR = join(directory, 'missing', 'tmp')
  t.teardown(() => { if (saved === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = saved })
  const driver = openDriver(t, directory)
  t.same((await driver.introspect()).columns.map((column) => column.table), ['small'])
  t.same(await drain(driver.stream({ sql: "SELECT current_setting('temp_directory')", parameters: [] },
    { signal: new AbortController().signal, timeoutMs: 10_000, batchSize: 1000, log: silent })), [['']])
})

t.test('DuckDB failing to start fails the call: files are not marked unreadable for it', async (t) => {
  const directory = await folder(t)
  await writeFile(join(directory, 'small.csv'), 'ID\n1\n')
  const warnings: unknown[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) })
  // Zero threads is a setting DuckDB refuses (the adapter's own options never allow it).
  const driver = new DuckDbDriver({ directory, threads: 0, memoryLimitMegabytes: 64, allocatorFlushMegabytes: 8 })
  t.teardown(() => driver.close())
  await t.rejects(driver.introspect(log), /config/i)
  t.same(warnings, [], 'no file was called unreadable')
})
