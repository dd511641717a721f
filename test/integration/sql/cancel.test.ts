import { createClient } from '@clickhouse/client'
import mysql from 'mysql2/promise'
import pg from 'pg'
import t from 'tap'
import { ClickHouseAdapter } from '../../../adapters/clickhouse/index.js'
import { MysqlAdapter } from '../../../adapters/mysql/index.js'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import type { SqlAdapter } from '../../../adapters/sql/sql-adapter.js'
import type { RequestContext } from '../../../src/core/adapter.js'
import { buildServer } from '../../../src/server/index.js'
import { ERR_CLIENT_GONE } from '../../../src/core/errors.js'
import { valueFormatter } from '../../../src/core/value-format.js'
import { TimeZone } from '../../../src/core/time-zone.js'
import { eventually } from '../../helpers/eventually.js'
import { MYSQL } from '../../helpers/services.js'
import { CLICKHOUSE_URL } from '../../helpers/sql/clickhouse-fixture.js'
import { SERVER } from '../../helpers/sql/mysql-fixture.js'
import { URL } from '../../helpers/sql/postgres-fixture.js'

const TOKEN = 'cancel-token-42'
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
const context: RequestContext = { connection: { token: TOKEN }, log: silent }

interface Engine {
  name: string
  /** A dataset that runs for about a minute before its first row; `marker` finds it in the server's process list. */
  slowSql: (marker: string) => string
  adapter: (slowSql: string, timeoutSeconds?: number) => SqlAdapter
  /** True when the source writes the answer rows itself (`readEncoded`): its cancellation is checked too. */
  writesRows?: boolean
  /** How many statements containing `marker` run on the server now. */
  running: (marker: string) => Promise<number>
}

const ENGINES: Engine[] = [
  {
    name: 'postgres',
    writesRows: true,
    slowSql: (marker) => `SELECT pg_sleep(60)::text AS ${marker}`,
    adapter: (slowSql, timeout) => new PostgresAdapter({ url: URL, token: TOKEN, datasets: [{ name: 'slow', sql: slowSql }], statementTimeoutSeconds: timeout }),
    running: async (marker) => {
      const client = new pg.Client(URL)
      await client.connect()
      const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()", [`%${marker}%`])
      await client.end()
      return rows[0].n as number
    }
  },
  {
    name: 'mysql',
    slowSql: (marker) => `SELECT SLEEP(60) AS ${marker}`,
    adapter: (slowSql, timeout) => new MysqlAdapter({ url: MYSQL.url, token: TOKEN, datasets: [{ name: 'slow', sql: slowSql }], statementTimeoutSeconds: timeout }),
    running: async (marker) => {
      const client = await mysql.createConnection({ uri: SERVER })
      const [rows] = await client.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID() AND COMMAND = 'Query'", [`%${marker}%`])
      await client.end()
      return Number((rows as Array<{ n: number }>)[0]!.n)
    }
  },
  {
    name: 'clickhouse',
    writesRows: true,
    // sleepEachRow sleeps at most 3 s per block: 20 blocks of 65536 rows, about 50 s.
    slowSql: (marker) => `SELECT sleepEachRow(0.00004) AS ${marker} FROM numbers(1310720)`,
    adapter: (slowSql, timeout) => new ClickHouseAdapter({ url: `${CLICKHOUSE_URL}/default`, token: TOKEN, datasets: [{ name: 'slow', sql: slowSql }], statementTimeoutSeconds: timeout }),
    running: async (marker) => {
      const client = createClient({ url: CLICKHOUSE_URL })
      const result = await client.query({ query: `SELECT count() AS n FROM system.processes WHERE query LIKE '%${marker}%' AND query NOT LIKE '%system.processes%'`, format: 'JSONEachRow' })
      const [row] = await result.json<{ n: string }>()
      await client.close()
      return Number(row!.n)
    }
  }
]

for (const engine of ENGINES) {
  t.test(`${engine.name}: an aborted read is cancelled on the server`, async (t) => {
    const marker = `b24bi_cancel_${Math.random().toString(36).slice(2, 10)}`
    const adapter = engine.adapter(engine.slowSql(marker))
    t.teardown(() => adapter.close())
    const fields = (await adapter.describeTable('slow', context))!
    const abort = new AbortController()
    const rows = adapter.readRows({ table: 'slow', fields, tableFields: fields, filter: undefined, limit: undefined, signal: abort.signal }, context)
    const first = rows[Symbol.asyncIterator]().next()
    first.catch(() => {})
    t.ok(await eventually(async () => await engine.running(marker) > 0, 30_000), 'the slow query runs on the server')
    abort.abort(new ERR_CLIENT_GONE())
    await t.rejects(first, { code: 'B24BI_ERR_CLIENT_GONE' }, 'the read ends with the abort reason')
    t.ok(await eventually(async () => await engine.running(marker) === 0, 30_000), 'the query no longer runs on the server')
  })

  if (engine.writesRows === true) {
    t.test(`${engine.name}: an aborted read of the rows the source writes (readEncoded) is cancelled on the server`, async (t) => {
      const marker = `b24bi_cancel_text_${Math.random().toString(36).slice(2, 10)}`
      const adapter = engine.adapter(engine.slowSql(marker))
      t.teardown(() => adapter.close())
      const fields = (await adapter.describeTable('slow', context))!
      const abort = new AbortController()
      const timeZone = new TimeZone('UTC')
      const formatters = fields.map((field) => valueFormatter(field, { timeZone, datetimeFormat: 'iso' }))
      const plan = { table: 'slow', fields, tableFields: fields, filter: undefined, limit: undefined, signal: abort.signal, formatters, timeZone, datetimeFormat: 'iso' as const }
      const first = adapter.readEncoded(plan, context)![Symbol.asyncIterator]().next()
      first.catch(() => {})
      t.ok(await eventually(async () => await engine.running(marker) > 0, 30_000), 'the slow query runs on the server')
      abort.abort(new ERR_CLIENT_GONE())
      await t.rejects(first, { code: 'B24BI_ERR_CLIENT_GONE' }, 'the read ends with the abort reason')
      t.ok(await eventually(async () => await engine.running(marker) === 0, 30_000), 'the query no longer runs on the server')
    })
  }

  t.test(`${engine.name}: the statement timeout answers 504`, async (t) => {
    const marker = `b24bi_timeout_${Math.random().toString(36).slice(2, 10)}`
    const adapter = engine.adapter(engine.slowSql(marker), 1)
    const app = await buildServer({ adapter, logger: false })
    t.teardown(() => app.close())
    const answer = await app.inject({ method: 'POST', url: '/api/data', payload: { connection: { token: TOKEN }, table: 'slow' } })
    t.equal(answer.statusCode, 504, answer.body)
    t.equal((answer.json() as { error: string }).error, 'B24BI_ERR_QUERY_TIMEOUT')
    t.ok(await eventually(async () => await engine.running(marker) === 0, 30_000), 'nothing left running')
  })
}
