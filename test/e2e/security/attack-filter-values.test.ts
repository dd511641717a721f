import t from 'tap'
import { pgUrl, testPool } from '../../helpers/pg-fixture.js'
import { serve, type Served } from './served.js'

// Finding 9, the filter rows: a double at or past ±2^63 and a money value with 37 fraction digits (502 on DuckDB),
// an IN list of 70,000 values (502 on PostgreSQL: a statement holds at most 65,535 parameters). Against `b24bi serve`:
// the demo (DuckDB) and PostgreSQL in server mode.
const TOKEN = 'filter-values-token-7e21'
const TABLE = 'b24bi_edges_values'
const MONEY_37 = '1.1111111111111111111111111111111111111'

interface Answer { status: number, error: string | undefined, message: string, rows: number }

async function post (server: Served, body: Record<string, unknown>): Promise<Answer> {
  const answer = await fetch(`${server.url}/api/data`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ connection: { token: TOKEN }, ...body })
  })
  const parsed = JSON.parse(await answer.text()) as { error?: string, message?: string } | unknown[][]
  if (Array.isArray(parsed)) return { status: answer.status, error: undefined, message: '', rows: parsed.length - 1 }
  return { status: answer.status, error: parsed.error, message: parsed.message ?? '', rows: 0 }
}

t.test('the demo (DuckDB): doubles past int64 are answered, money past 18 fraction digits is a coded 400', async (t) => {
  const server = await serve(t, { CONNECTOR_TOKEN: TOKEN })
  const deals = async (filter: Record<string, unknown>): Promise<Answer> => await post(server, { table: 'deals', select: ['ID'], filter, limit: 5 })

  t.match(await deals({ '>PROBABILITY': '9223372036854775808' }), { status: 200, rows: 0 }, 'double > 2^63: no deal (was 502)')
  t.match(await deals({ '>PROBABILITY': '1e19' }), { status: 200, rows: 0 }, 'double > 1e19: no deal (was 502)')
  t.match(await deals({ '<PROBABILITY': '-9223372036854775809' }), { status: 200, rows: 0 }, 'double < -2^63 - 1: no deal')
  t.match(await deals({ '>PROBABILITY': '-1e19' }), { status: 200, rows: 5 }, 'double > -1e19: every deal')
  t.match(await deals({ PROBABILITY: ['1e300', '-1e19', '0.5'] }), { status: 200 }, 'double IN with 1e300 and -1e19')

  for (const key of ['>OPPORTUNITY', 'OPPORTUNITY', '!OPPORTUNITY']) {
    const answer = await deals({ [key]: MONEY_37 })
    t.match(answer, { status: 400, error: 'B24BI_ERR_FILTER_VALUE' }, `money ${key} with 37 fraction digits: coded 400 (was 502)`)
    t.ok(answer.message.includes(`'${key}'`) && answer.message.includes('18 digits after the point'), `the message names the key and the limit: ${answer.message}`)
  }
  t.match(await deals({ '>OPPORTUNITY': '1.111111111111111111' }), { status: 200, rows: 5 }, 'money with 18 fraction digits is compared')
  t.match(await deals({ '>OPPORTUNITY': '1.10000000000000000000000000000000000000' }), { status: 200, rows: 5 }, 'trailing zeros do not count')
  t.notMatch(server.logs(), /"level":50/, 'no error-level log line')
})

t.test('PostgreSQL server mode: an IN list of 70,000 values is answered (one array parameter), the filter edges too', async (t) => {
  const pool = testPool()
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`)
  await pool.query(`CREATE TABLE ${TABLE} ("ID" integer, "AMOUNT" money, "RATIO" double precision, "SHARE" numeric(18, 2), "TITLE" text)`)
  await pool.query(`INSERT INTO ${TABLE} SELECT n, n * 1.5, n / 4.0, n * 0.25, 'title ' || n FROM generate_series(1, 100) AS n`)
  t.teardown(async () => { await pool.query(`DROP TABLE IF EXISTS ${TABLE}`); await pool.end() })
  const server = await serve(t, {
    B24BI_ADAPTER: 'postgres',
    B24BI_ADAPTER_OPTIONS: JSON.stringify({ url: pgUrl(), token: TOKEN, exposure: { tables: { allow: [TABLE] } } })
  })
  const read = async (filter: Record<string, unknown>): Promise<Answer> => await post(server, { table: TABLE, select: ['ID'], filter })

  const everyThird = Array.from({ length: 70_000 }, (_, index) => index * 3 + 1)
  t.match(await read({ ID: everyThird }), { status: 200, rows: 34 }, 'IN with 70,000 ints: the 34 ids of 1..100 that are 1 mod 3 (was 502)')
  t.match(await read({ '!ID': everyThird }), { status: 200, rows: 66 }, 'NOT IN with 70,000 ints')
  t.match(await read({ TITLE: everyThird.map((id) => `title ${id}`) }), { status: 200, rows: 34 }, 'IN with 70,000 strings')
  t.match(await read({ AMOUNT: everyThird.map((id) => String(id * 1.5)) }), { status: 200, rows: 34 }, 'IN with 70,000 money values')
  t.match(await read({ RATIO: everyThird.map((id) => id / 4) }), { status: 200, rows: 34 }, 'IN with 70,000 doubles')
  t.match(await read({ SHARE: everyThird.map((id) => id / 4) }), { status: 200, rows: 34 }, 'IN with 70,000 doubles on a numeric column')
  t.match(await read({ ID: Array.from({ length: 70_000 }, (_, index) => 1000 + index) }), { status: 200, rows: 0 }, 'IN with 70,000 values none of which is there')
  t.match(await read({ '>RATIO': '9223372036854775808' }), { status: 200, rows: 0 }, 'double > 2^63 on PostgreSQL')
  t.match(await read({ '>RATIO': '-1e19' }), { status: 200, rows: 100 }, 'double > -1e19 on PostgreSQL')
  t.match(await read({ '>AMOUNT': MONEY_37 }), { status: 400, error: 'B24BI_ERR_FILTER_VALUE' }, 'money with 37 fraction digits: the same coded 400')
  t.notMatch(server.logs(), /"level":50/, 'no error-level log line')
})
