import qs from 'qs'
import type { FastifyInstance } from 'fastify'
import type { Adapter, EncodePlan, RequestContext } from '../../../src/core/adapter.js'
import type { RuntimeOptions } from '../../../src/runtime/runtime-options.js'
import type { EncodedRows } from '../../../src/core/text-rows.js'
import { buildServer } from '../../../src/server/index.js'
import { FILTER_CASES, FILTER_FIELDS, FILTER_PORTAL_DATE_FORMAT, FILTER_TIME_ZONE } from '../filter-cases.js'

/** What one engine gives the shared suite: an adapter serving `fixture`, `exact_values` and `dst`. */
export interface SuiteEngine {
  name: string
  /** Creates the tables (unique names) and answers the adapter serving them, its connection settings, and a cleanup. */
  open: () => Promise<{ adapter: Adapter, connection: Record<string, string>, cleanup: () => Promise<void> }>
  /** True when the adapter serves the dataset `small_ids`: `SELECT id, title FROM fixture WHERE id <= 3`. */
  dataset?: boolean
  /** False when the fixture's decimal column holds doubles (SQLite): cases marked `exactDecimal` are skipped. Default true. */
  exactDecimals?: boolean
  /** Exact-number columns of `exact_values` (in addition to I64 and AMOUNT). Default none. */
  extraExactColumns?: readonly string[]
  /** True when the engine's source writes the answer rows itself (`readEncoded`, e.g. PostgreSQL's COPY). Default false. */
  writesRows?: boolean
}

/** The DST instants of the `dst` table: ID -> UTC instant, and the Berlin wall time each shows. */
export const DST_ROWS: ReadonlyArray<readonly [number, string, string, string]> = [
  [1, '2026-03-29T00:30:00Z', '2026-03-29 01:30:00', '2026-03-29T01:30:00+01:00'],
  [2, '2026-03-29T01:30:00Z', '2026-03-29 03:30:00', '2026-03-29T03:30:00+02:00'],
  [3, '2026-10-25T00:30:00Z', '2026-10-25 02:30:00', '2026-10-25T02:30:00+02:00'],
  [4, '2026-10-25T01:30:00Z', '2026-10-25 02:30:00', '2026-10-25T02:30:00+01:00']
]

/** The exact values every engine stores in `exact_values`: ID, I64 (bigint), AMOUNT (decimal 38,2). */
export const EXACT_ROWS: ReadonlyArray<readonly [number, string | null, string | null]> = [
  [1, '9223372036854775807', '12345678901234567.89'],
  [2, '-9223372036854775808', '-12345678901234567.89'],
  [3, '9007199254740993', '0.10'],
  [4, null, null]
]

/**
 * The values every engine stores in `edge_values` (ID, TXT text, RATIO double, DAY date, MOMENT naive datetime,
 * ZONE text typed `timezone`): the bytes a text export escapes, doubles in exponent form, dates at the edges,
 * naive wall times in Berlin's DST gap and overlap, NULL in every column.
 */
export const EDGE_ROWS: ReadonlyArray<readonly [number, string | null, number | null, string | null, string | null, string | null]> = [
  [1, 'tab\there, cr\rhere, back\\slash, "quoted", \'single\'', 0.1, '2024-02-29', '2024-02-29 23:59:59', 'Europe/Berlin'],
  [2, '\\N', 1e20, '1970-01-01', '1999-12-31 00:00:00', 'UTC'],
  [3, 'ctrl \u0001\u0007\b\f\u000b\u001b\u001f\u007f end', 1.5e-7, '2099-12-31', '2026-03-29 02:30:00', 'America/New_York'],
  [4, '𝄞 and 😀, Ünïcødé — ☃ 中文', -2.5, '2000-01-01', '2026-10-25 02:30:00', 'Asia/Kathmandu'],
  [5, '', 1.7976931348623157e308, '2026-03-29', '2026-03-29 01:59:59', '+03:00'],
  [6, null, null, null, null, null],
  [7, 'ends in a backslash \\', 123456789.123, '2026-10-25', '2026-10-25 03:00:00', 'Europe/Moscow'],
  [8, 'new\nline and \\n written out, \\t too', -0.000123, '1999-12-31', '2000-01-01 00:00:00', 'Australia/Lord_Howe'],
  [9, '  spaces  ', 3.141592653589793, '2024-01-01', '2024-01-01 12:00:00', '007']
]

interface Answer {
  statusCode: number
  body: string
  json: () => unknown
}

interface TapT {
  test: (name: string, fn: (t: TapT) => Promise<void>) => Promise<unknown>
  teardown: (fn: () => Promise<void> | void) => void
  equal: (a: unknown, b: unknown, message?: string) => void
  same: (a: unknown, b: unknown, message?: string) => void
  ok: (value: unknown, message?: string) => void
  pass: (message: string) => void
  fail: (message: string, extra?: Record<string, unknown>) => void
  match: (value: unknown, pattern: unknown, message?: string) => void
  before: (fn: () => Promise<void>) => void
  skip: (name: string) => unknown
}

function form (body: Record<string, unknown>): { payload: string, headers: Record<string, string> } {
  return { payload: qs.stringify(body, { arrayFormat: 'indices' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
}

const VALUE_FORMAT: Record<string, RegExp> = {
  int: /^-?\d+$/,
  double: /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i,
  money: /^-?\d+(\.\d+)?$/,
  date: /^"\d{4}-\d{2}-\d{2}"$/,
  datetime: /^"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"$/,
  string: /^"/
}

/** Splits a raw JSON row array of the answer into its raw value texts (values here hold no commas in strings we check). */
function rawCells (body: string, row: number): string[] {
  const lines = body.slice(1, -1).split(/\],\s*\[/)
  return lines[row]!.replace(/^\[|\]$/g, '').split(',')
}

/** The shared SQL adapter suite: the same checks, over real HTTP, against every engine and DuckDB. */
export async function sqlAdapterSuite (t: TapT, engine: SuiteEngine): Promise<void> {
  let app: FastifyInstance
  let adapter: Adapter
  let connection: Record<string, string>
  const post = async (url: string, body: Record<string, unknown>, json = false): Promise<Answer> =>
    await app.inject({ method: 'POST', url, ...(json ? { payload: { connection, ...body } } : form({ connection, ...body })) })

  t.before(async () => {
    const opened = await engine.open()
    adapter = opened.adapter
    connection = opened.connection
    app = await buildServer({ adapter: opened.adapter, logger: false, runtime: { timeZone: FILTER_TIME_ZONE, portalDateFormat: FILTER_PORTAL_DATE_FORMAT } })
    t.teardown(async () => {
      await app.close()
      await opened.cleanup()
    })
  })

  await t.test('list and search', async (t) => {
    const list = await post('/api/table_list', { searchString: '' })
    t.equal(list.statusCode, 200, list.body)
    const codes = (list.json() as Array<{ code: string }>).map((table) => table.code)
    for (const code of ['fixture', 'exact_values', 'dst', 'edge_values']) t.ok(codes.includes(code), `${code} is listed`)
    const search = await post('/api/table_list', { searchString: 'FIXT' })
    t.same((search.json() as Array<{ code: string }>).map((table) => table.code), ['fixture'], 'search is case-insensitive')
  })

  await t.test('describe: codes and types in column order', async (t) => {
    const answer = await post('/api/table_description', { table: 'fixture' })
    t.equal(answer.statusCode, 200, answer.body)
    const fields = answer.json() as Array<{ code: string, name: string, type: string }>
    t.same(fields.map((field) => [field.code, field.type]), FILTER_FIELDS.map((field) => [field.code, field.type]))
  })

  await t.test('types and formats of every value', async (t) => {
    const answer = await post('/api/data', { table: 'fixture' })
    t.equal(answer.statusCode, 200, answer.body)
    const [header, ...rows] = answer.json() as unknown[][]
    t.same(header, FILTER_FIELDS.map((field) => field.code))
    t.equal(rows.length, 16)
    const byId = new Map(rows.map((row) => [row[0], row]))
    // eslint-disable-next-line @typescript-eslint/no-loss-of-precision -- the number the source answers, as JSON.parse reads it
    t.same(byId.get(1), [1, 9007199254740993, 2500.5, 0.1, "O'Brien", '2025-05-31', '2025-05-31 17:01:55', '2025-05-31 17:01:55'])
    t.same(byId.get(6), [6, null, null, null, null, null, null, null], 'NULL in every column')
    t.equal(byId.get(13)![4], '😀 first', 'astral characters survive')
    t.equal(byId.get(12)![4], 'line\nbreak %')
    const big = await post('/api/data', { table: 'fixture', select: ['ID', 'BIG'], filter: { ID: '7' } })
    t.match(big.body, /\[7,9223372036854775807\]/, 'int64 max verbatim')
    for (const row of rows) {
      FILTER_FIELDS.forEach((field, index) => {
        if (row[index] === null) return
        t.match(JSON.stringify(row[index]), VALUE_FORMAT[field.type]!, `${field.code} is a ${field.type}`)
      })
    }
  })

  await t.test('select order and limit', async (t) => {
    const answer = await post('/api/data', { table: 'fixture', select: ['TITLE', 'ID', 'DAY'], filter: { ID: ['1', '2'] } })
    const [header, ...rows] = answer.json() as unknown[][]
    t.same(header, ['TITLE', 'ID', 'DAY'])
    t.same(rows.sort((a, b) => (a[1] as number) - (b[1] as number)), [["O'Brien", 1, '2025-05-31'], ['100% sure', 2, '2025-06-01']])
    const limited = await post('/api/data', { table: 'fixture', limit: '3' })
    t.equal((limited.json() as unknown[][]).length, 4, 'header and three rows')
    const zero = await post('/api/data', { table: 'fixture', limit: '0' })
    t.equal((zero.json() as unknown[][]).length, 17, 'limit 0 means no limit: header and all 16 rows')
  })

  await t.test("the portal's field names: mapFields, select and filter keys, header as sent", async (t) => {
    const answer = await post('/api/data', { table: 'fixture', select: ['Deal', 'TITLE'], filter: { '<=Deal': '2' }, mapFields: { ID: 'Deal' } })
    t.equal(answer.statusCode, 200, answer.body)
    const [header, ...rows] = answer.json() as unknown[][]
    t.same(header, ['Deal', 'TITLE'])
    t.same(rows.sort((a, b) => (a[0] as number) - (b[0] as number)), [[1, "O'Brien"], [2, '100% sure']])
    const renamed = await post('/api/data', { table: 'fixture', select: ['Deal'] })
    t.equal(renamed.statusCode, 400)
    t.match(renamed.json(), { error: 'B24BI_ERR_FIELD_NOT_FOUND', message: /supportMapping/ })
  })

  await t.test('every filter case gives the expected ids', async (t) => {
    for (const filterCase of FILTER_CASES) {
      if (filterCase.exactDecimal === true && engine.exactDecimals === false) {
        t.skip(`${filterCase.name}: ${engine.name}'s fixture holds AMOUNT as a double, so a comparison past 15 digits has no exact answer to check`)
        continue
      }
      const answer = await post('/api/data', { table: 'fixture', select: ['ID'], filter: filterCase.filter }, filterCase.jsonOnly === true)
      if (answer.statusCode !== 200) {
        t.equal(answer.statusCode, 200, `${filterCase.name}: ${answer.body}`)
        continue
      }
      const ids = (answer.json() as number[][]).slice(1).map((row) => row[0]!).sort((a, b) => a - b)
      t.same(ids, filterCase.ids, filterCase.name)
    }
  })

  await t.test('exact numbers reach the raw answer verbatim', async (t) => {
    const answer = await post('/api/data', { table: 'exact_values' })
    t.equal(answer.statusCode, 200, answer.body)
    for (const digits of ['9223372036854775807', '-9223372036854775808', '9007199254740993', '12345678901234567.89', '-12345678901234567.89']) {
      t.ok(answer.body.includes(digits), `${digits} is in the raw answer`)
    }
    const header = (answer.json() as string[][])[0]!
    for (const column of engine.extraExactColumns ?? []) {
      const index = header.indexOf(column)
      t.ok(index >= 0, `${column} is answered`)
      const cells = [1, 2, 3, 4].map((row) => rawCells(answer.body, row)[index])
      t.ok(cells.some((cell) => cell === '12345678901234567.89'), `${column} keeps every digit: ${cells.join(' ')}`)
    }
    const filtered = await post('/api/data', { table: 'exact_values', select: ['ID'], filter: { I64: '-9223372036854775808' } })
    t.same(filtered.json(), [['ID'], [2]], 'int64 min filters exactly')
  })

  await t.test('DST gap and overlap in Europe/Berlin', async (t) => {
    const answer = await post('/api/data', { table: 'dst', select: ['ID', 'STAMP'] })
    t.equal(answer.statusCode, 200, answer.body)
    const rows = (answer.json() as unknown[][]).slice(1).sort((a, b) => (a[0] as number) - (b[0] as number))
    t.same(rows, DST_ROWS.map(([id, , wall]) => [id, wall]), 'instants shown as Berlin wall times')
    const ids = async (filter: Record<string, unknown>): Promise<number[]> =>
      ((await post('/api/data', { table: 'dst', select: ['ID'], filter })).json() as number[][]).slice(1).map((row) => row[0]!).sort()
    t.same(await ids({ STAMP: '2026-03-29 02:30:00' }), [2], 'a wall time in the gap moves forward')
    t.same(await ids({ STAMP: '2026-10-25 02:30:00' }), [3], 'a wall time in the overlap is the earlier instant')
    t.same(await ids({ STAMP: '2026-10-25T02:30:00+01:00' }), [4], 'an explicit offset picks the later one')
    t.same(await ids({ '>=STAMP': '25.10.2026' }), [3, 4])
  })

  if (engine.dataset === true) {
    await t.test('a dataset defined by a query', async (t) => {
      const list = await post('/api/table_list', { searchString: 'small' })
      t.same(list.json(), [{ code: 'small_ids', title: 'small_ids' }])
      const described = await post('/api/table_description', { table: 'small_ids' })
      t.same((described.json() as Array<{ code: string, type: string }>).map((field) => [field.code, field.type]), [['ID', 'int'], ['TITLE', 'string']])
      const answer = await post('/api/data', { table: 'small_ids', select: ['TITLE', 'ID'], filter: { '>ID': '1' } })
      const rows = (answer.json() as unknown[][]).slice(1).sort((a, b) => (a[1] as number) - (b[1] as number))
      t.same(rows, [['100% sure', 2], ['under_score', 3]])
      const limited = await post('/api/data', { table: 'small_ids', limit: '2' })
      t.equal((limited.json() as unknown[][]).length, 3)
    })
  }

  await t.test('the answer the source writes has the bytes of the row path', async (t) => {
    const written = { chunks: 0 }
    const variants: RuntimeOptions[] = [
      { timeZone: FILTER_TIME_ZONE, portalDateFormat: FILTER_PORTAL_DATE_FORMAT },
      { timeZone: 'UTC' },
      { timeZone: 'Europe/Berlin', datetimeFormat: 'iso' },
      { timeZone: 'UTC', datetimeFormat: 'iso' },
      { timeZone: 'Asia/Kathmandu' }
    ]
    const requests: Array<Record<string, unknown>> = []
    for (const table of ['fixture', 'exact_values', 'dst', 'edge_values']) {
      const codes = ((await post('/api/table_description', { table })).json() as Array<{ code: string }>).map((field) => field.code)
      requests.push({ table }, { table, limit: '2' }, { table, select: [...codes].reverse() })
    }
    requests.push(
      { table: 'fixture', select: ['Deal', 'TITLE', 'STAMP'], filter: { '<=Deal': '5' }, mapFields: { ID: 'Deal', STAMP: 'When' } },
      { table: 'edge_values', select: ['Text', 'ID'], filter: { '>=ID': '2' }, mapFields: { TXT: 'Text' }, limit: '5' }
    )
    const filtered = FILTER_CASES.filter((filterCase) => filterCase.jsonOnly !== true).map((filterCase) => ({ table: 'fixture', filter: filterCase.filter }))
    for (const [index, runtime] of variants.entries()) {
      const writes = await buildServer({ adapter: observed(adapter, written), logger: false, runtime })
      const reads = await buildServer({ adapter: rowsOnly(adapter), logger: false, runtime })
      try {
        for (const body of index === 0 ? [...requests, ...filtered] : requests) {
          const send = { connection, ...body }
          const [fast, slow] = await Promise.all([
            writes.inject({ method: 'POST', url: '/api/data', ...form(send) }),
            reads.inject({ method: 'POST', url: '/api/data', ...form(send) })
          ])
          const name = `${JSON.stringify(runtime)} ${JSON.stringify(body)}`
          if (fast.statusCode !== slow.statusCode || fast.body !== slow.body) t.fail(`${name}: the two answers differ`, { found: fast.body, wanted: slow.body })
          else t.pass(name)
        }
      } finally {
        await Promise.all([writes.close(), reads.close()])
      }
    }
    if (engine.writesRows === true) t.ok(written.chunks > 0, `the source wrote the rows (${written.chunks} chunks of bytes)`)
    else t.equal(written.chunks, 0, `${engine.name}: no chunk written by the source (set writesRows when it gains a text export)`)
  })

  await t.test('errors are coded', async (t) => {
    const cases: Array<[string, string, Record<string, unknown>, number, string]> = [
      ['unknown table', '/api/data', { table: 'nope_nope' }, 404, 'B24BI_ERR_TABLE_NOT_FOUND'],
      ['unknown field', '/api/data', { table: 'fixture', select: ['ID', 'NOPE'] }, 400, 'B24BI_ERR_FIELD_NOT_FOUND'],
      ['negative limit', '/api/data', { table: 'fixture', limit: '-1' }, 400, 'B24BI_ERR_REQUEST_INVALID'],
      ['fractional limit', '/api/data', { table: 'fixture', limit: '2.5' }, 400, 'B24BI_ERR_REQUEST_INVALID'],
      ['unknown filter field', '/api/data', { table: 'fixture', filter: { NOPE: '1' } }, 400, 'B24BI_ERR_'],
      ['invalid date', '/api/data', { table: 'fixture', filter: { DAY: '31.02.2025' } }, 400, 'B24BI_ERR_FILTER_VALUE'],
      ['unknown table described', '/api/table_description', { table: 'nope_nope' }, 404, 'B24BI_ERR_TABLE_NOT_FOUND']
    ]
    for (const [name, url, body, status, code] of cases) {
      const answer = await post(url, body)
      t.equal(answer.statusCode, status, `${name}: status`)
      t.ok((answer.json() as { error: string }).error.startsWith(code), `${name}: ${answer.body}`)
    }
    const wrong = await app.inject({ method: 'POST', url: '/api/check', ...form({ connection: { ...connection, token: 'wrong-token-x', password: 'wrong-password-x' } }) })
    t.equal(wrong.statusCode, 401, `wrong credentials: ${wrong.body}`)
  })
}

/** The adapter's members, for a second server over the same adapter; closing it leaves the adapter open. */
function members (adapter: Adapter): Adapter {
  return {
    settings: adapter.settings,
    init: async () => { await adapter.init() },
    check: async (context: RequestContext) => await adapter.check(context),
    listTables: async (search: string, context: RequestContext) => await adapter.listTables(search, context),
    describeTable: async (table: string, context: RequestContext) => await adapter.describeTable(table, context),
    readRows: (plan: never, context: RequestContext) => adapter.readRows(plan, context),
    capabilities: () => adapter.capabilities(),
    ready: async () => await adapter.ready(),
    close: async () => {}
  } satisfies Omit<Adapter, 'readEncoded'> as Adapter
}

/** The adapter without its source-written path: every answer through `readRows` and the formatters. */
export function rowsOnly (adapter: Adapter): Adapter {
  return members(adapter)
}

/** The adapter as it is, counting the chunks its source wrote as bytes (the text export, not a formatted fallback). */
export function observed (adapter: Adapter, written: { chunks: number }): Adapter {
  const view = members(adapter)
  view.readEncoded = (plan: EncodePlan, context: RequestContext) => {
    const source = adapter.readEncoded?.(plan, context)
    if (source === undefined) return undefined
    return (async function * (): AsyncGenerator<EncodedRows> {
      for await (const chunk of source) {
        if (typeof chunk.bytes !== 'string') written.chunks++
        yield chunk
      }
    })()
  }
  return view
}
