import { createClient } from '@clickhouse/client'
import t from 'tap'
import { ClickHouseAdapter } from '../../../adapters/clickhouse/index.js'
import { withoutErrorLine } from '../../../adapters/clickhouse/clickhouse-driver.js'
import { clickhouseLiteral } from '../../../adapters/clickhouse/clickhouse-literal.js'
import type { RequestContext } from '../../../src/core/adapter.js'
import { valueFormatter } from '../../../src/core/value-format.js'
import { buildServer } from '../../../src/server/index.js'
import { TimeZone } from '../../../src/core/time-zone.js'
import { CLICKHOUSE_URL, clickhouseDatabase } from '../../helpers/sql/clickhouse-fixture.js'
import { observed, rowsOnly, sqlAdapterSuite } from '../../helpers/sql/suite.js'

const TOKEN = 'ch-token-8d4e'
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
const context: RequestContext = { connection: { token: TOKEN }, log: silent }

t.test('ClickHouse: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    dataset: true,
    name: 'clickhouse',
    writesRows: true,
    open: async () => {
      const { database, drop } = await clickhouseDatabase()
      const adapter = new ClickHouseAdapter({
        url: `${CLICKHOUSE_URL}/${database}`,
        token: TOKEN,
        datasets: [{ name: 'small_ids', sql: 'SELECT id, title FROM fixture WHERE id <= 3' }],
        types: { fixture: { AMOUNT: 'money' }, edge_values: { ZONE: 'timezone' } }
      })
      return { adapter, connection: { token: TOKEN }, cleanup: drop }
    }
  })
})

t.test('ClickHouse literals: the injection corpus round-trips through a real server', async (t) => {
  const client = createClient({ url: CLICKHOUSE_URL })
  t.teardown(() => client.close())
  const corpus = ["' OR 1=1 --", "'; DROP TABLE fixture; --", '" OR ""="', '\\', "\\'", "\\\\'", '%', '_', '`', '?', '{name:String}', ') OR (1=1',
    '\u0000', '\u0000\'', '\n\r\t\b\f\v\x07', '\x1b[31m', '\x7f', '😀\u202e', 'Ärger ｚｚ', 'x'.repeat(10_000), "O'Brien' OR 'a'='a", '\\x27', "'''", '\\\\\\']
  for (const value of corpus) {
    const result = await client.query({ query: `SELECT ${clickhouseLiteral(value)} AS v, length(${clickhouseLiteral(value)}) AS n`, format: 'JSONEachRow' })
    const [row] = await result.json<{ v: string, n: string | number }>()
    t.equal(row?.v, value, `${JSON.stringify(value.slice(0, 20))} comes back unchanged`)
    t.equal(Number(row?.n), Buffer.byteLength(value), 'as one value of its own length')
  }
  // eslint-disable-next-line @typescript-eslint/no-loss-of-precision -- a double as the driver hands it over
  for (const value of [9223372036854775807n, -9223372036854775808n, 0, -1.5, 1e-7, 12345678901234567]) {
    const result = await client.query({ query: `SELECT toString(${clickhouseLiteral(value)}) AS v`, format: 'JSONEachRow' })
    const [row] = await result.json<{ v: string }>()
    t.equal(row?.v, String(value), `${String(value)} is written exactly`)
  }
  for (const value of [NaN, Infinity, {}, [], new Date(0), undefined, Symbol('x')]) {
    t.throws(() => clickhouseLiteral(value), { code: 'B24BI_ERR_NOT_SUPPORTED' }, `${String(typeof value)} is refused`)
  }
  t.equal(clickhouseLiteral(null), 'NULL')
  t.equal(clickhouseLiteral(true), '1')
})

t.test('ClickHouse UInt64 is declared string (the portal reads ints as signed 64-bit), filtered exactly as text', async (t) => {
  const { database, drop } = await clickhouseDatabase()
  t.teardown(drop)
  const client = createClient({ url: CLICKHOUSE_URL })
  await client.command({ query: `CREATE TABLE ${database}.unsigned_values (id Int32, u64 UInt64, u32 UInt32) ENGINE = Memory` })
  await client.command({ query: `INSERT INTO ${database}.unsigned_values VALUES (1, 18446744073709551615, 4294967295), (2, 9223372036854775808, 0), (3, 7, 7)` })
  await client.close()
  const app = await buildServer({ adapter: new ClickHouseAdapter({ url: `${CLICKHOUSE_URL}/${database}`, token: TOKEN }), logger: false })
  t.teardown(() => app.close())
  const post = async (url: string, body: Record<string, unknown>) =>
    await app.inject({ method: 'POST', url, payload: { connection: { token: TOKEN }, table: 'unsigned_values', ...body } })
  const described = await post('/api/table_description', {})
  t.same((described.json() as Array<{ code: string, type: string }>).map((field) => [field.code, field.type]), [['ID', 'int'], ['U64', 'string'], ['U32', 'int']])
  const answer = await post('/api/data', { select: ['ID', 'U64', 'U32'] })
  t.equal(answer.statusCode, 200, answer.body)
  t.ok(answer.body.includes('[1,"18446744073709551615",4294967295]'), `above 2^63-1 as a string: ${answer.body}`)
  const filtered = await post('/api/data', { select: ['ID'], filter: { U64: ['9223372036854775808', '7'] } })
  t.same((filtered.json() as unknown[][])[0], ['ID'])
  t.same((filtered.json() as number[][]).slice(1).map((row) => row[0]).sort(), [2, 3])
})

t.test('ClickHouse: the answer its text export writes is the row path\'s for bytes that are not UTF-8 and for an error after the first row', async (t) => {
  const { database, drop } = await clickhouseDatabase()
  t.teardown(drop)
  const client = createClient({ url: CLICKHOUSE_URL })
  await client.command({ query: `CREATE TABLE ${database}.raw_bytes (id Int32, s String) ENGINE = Memory` })
  await client.command({ query: `INSERT INTO ${database}.raw_bytes SELECT number, unhex(['C328', 'FF41', 'E282', 'C0AF5C', '80', 'F09F98'][number + 1]) FROM numbers(6)` })
  await client.close()
  // One column, so the error ClickHouse writes into the body after the first block would parse as a row.
  const failing = `SELECT concat(toString(throwIf(number = 200000)), '${'x'.repeat(100)}') AS t FROM numbers(300000)`
  const adapter = new ClickHouseAdapter({ url: `${CLICKHOUSE_URL}/${database}`, token: TOKEN, datasets: [{ name: 'fails_late', sql: failing }] })
  const written = { chunks: 0 }
  const writes = await buildServer({ adapter: observed(adapter, written), logger: false })
  const reads = await buildServer({ adapter: rowsOnly(adapter), logger: false })
  t.teardown(async () => {
    await Promise.all([writes.close(), reads.close()])
    await adapter.close()
  })
  const post = async (app: typeof writes, table: string) =>
    await app.inject({ method: 'POST', url: '/api/data', payload: { connection: { token: TOKEN }, table } })
  const [fast, slow] = await Promise.all([post(writes, 'raw_bytes'), post(reads, 'raw_bytes')])
  t.equal(fast.statusCode, 200, fast.body)
  // Compared as bytes: a body decoded to a string would hide the malformed sequences themselves.
  t.ok(fast.rawPayload.equals(slow.rawPayload), 'malformed sequences become U+FFFD on both paths')
  t.ok(fast.body.includes('\uFFFD('), fast.body)
  t.ok(written.chunks > 0, 'the source wrote the rows')
  // Broken after its first bytes (never a complete array) on both paths: the error line was not taken for a row.
  await t.rejects(post(writes, 'fails_late'), { code: 'LIGHT_ECONNRESET' }, 'the text export fails')
  await t.rejects(post(reads, 'fails_late'), { code: 'LIGHT_ECONNRESET' }, 'the row path fails')
  const fields = (await adapter.describeTable('fails_late', context))!
  const formatters = fields.map((field) => valueFormatter(field, { timeZone: new TimeZone('UTC'), datetimeFormat: 'iso' }))
  const plan = { table: 'fails_late', fields, tableFields: fields, filter: undefined, limit: undefined, signal: new AbortController().signal, formatters, timeZone: new TimeZone('UTC'), datetimeFormat: 'iso' as const }
  let rows = 0
  await t.rejects((async () => { for await (const chunk of adapter.readEncoded(plan, context)!) rows += chunk.rows })(),
    { message: /^Code: 395, e\.displayText\(\) = DB::Exception: Value passed to 'throwIf'/ }, 'the reader gets the error ClickHouse wrote, its code kept')
  t.ok(rows > 0 && rows < 200_000, `the rows before it were read (${rows})`)
})

t.test('ClickHouse text export: the bytes pass through whole however the response is split, its error line thrown', async (t) => {
  const rows = Buffer.from('1\tone\n22\ttwo, ä\n333\t\\N\n4444\tfour\n')
  const error = Buffer.from('Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 1.0 seconds, e.what() = DB::Exception\n')
  const read = async (whole: Buffer, cuts: number[]): Promise<Buffer> => {
    const bounds = [0, ...cuts, whole.length]
    const parts = bounds.slice(1).map((end, index) => whole.subarray(bounds[index], end))
    const out: Uint8Array[] = []
    for await (const chunk of withoutErrorLine((async function * () { yield * parts })())) out.push(chunk)
    return Buffer.concat(out)
  }
  for (let first = 1; first < rows.length; first++) {
    for (const second of [first + 1, first + 7, rows.length - 1]) {
      const cuts = second > first && second < rows.length ? [first, second] : [first]
      const passed = await read(rows, cuts)
      if (!passed.equals(rows)) return t.fail(`split at ${cuts.join(', ')}: ${passed.toString()}`)
    }
  }
  t.pass('every split passes the rows through unchanged')
  for (const cut of [1, 5, rows.length, rows.length + 3, rows.length + error.length - 1]) {
    await t.rejects(read(Buffer.concat([rows, error]), [cut]), { message: /^Code: 159, e\.displayText\(\) = DB::Exception: Timeout exceeded/ }, `an error line after a split at ${cut}`)
  }
  await t.rejects(read(Buffer.concat([rows, error.subarray(0, error.length - 1)]), [3]), { message: /^Code: 159/ }, 'an error line without its newline')
  t.ok((await read(Buffer.from('Code: 1 is a row\n'), [4])).equals(Buffer.from('Code: 1 is a row\n')), 'a row that only begins like an error is a row')
})
