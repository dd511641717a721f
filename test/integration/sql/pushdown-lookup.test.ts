import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@clickhouse/client'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { ClickHouseAdapter } from '../../../adapters/clickhouse/index.js'
import { SqliteAdapter } from '../../../adapters/sqlite/index.js'
import type { Capabilities, PushdownScope, RequestContext } from '../../../src/core/adapter.js'
import type { FieldInfo } from '../../../src/core/field-types.js'
import type { FilterOp } from '../../../src/core/filter-ast.js'
import { buildServer } from '../../../src/server/index.js'
import { CLICKHOUSE } from '../../helpers/services.js'
import { CLICKHOUSE_URL } from '../../helpers/sql/clickhouse-fixture.js'

// Which conditions the SQL adapter leaves to the runtime is its own lookup in the description the request's pool gave
// (it was a symbol smuggled on the public FieldInfo). These pin what that lookup answers.

const TOKEN = 'seam-pushdown-token'
const silent = { debug () {}, info () {}, warn () {}, error () {} }
type FilterTest = (field: FieldInfo, op: FilterOp, scope: PushdownScope) => boolean

function filterOf (capabilities: Capabilities): FilterTest {
  if (typeof capabilities.filter !== 'function') throw new Error('the SQL adapter decides per field')
  return capabilities.filter
}

async function sqliteMixed (t: Test): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-seam-pushdown-'))
  t.teardown(async () => await rm(directory, { recursive: true, force: true }))
  const path = join(directory, 'mixed.db')
  const db = new Database(path)
  db.exec(`CREATE TABLE mixed (n INTEGER, d DECIMAL(10, 2), s TEXT, w TEXT);
    INSERT INTO mixed VALUES (1, 2.5, '7', 'a'), (2, 3.5, '8', 'b'), (3, 2.5, '9', 'c')`)
  db.close()
  return path
}

t.test('SQLite: decimals and cross-family overrides are left to the runtime, the rest is pushed, renamed or not', async (t) => {
  const path = await sqliteMixed(t)
  const adapter = new SqliteAdapter({ url: path, token: TOKEN, types: { mixed: { S: 'int' } } })
  t.teardown(async () => await adapter.close())
  const context: RequestContext = { connection: { token: TOKEN }, log: silent }
  const fields = (await adapter.describeTable('mixed', context))!
  t.same(fields.map((field) => [field.code, field.type]), [['N', 'int'], ['D', 'double'], ['S', 'int'], ['W', 'string']])
  t.ok(fields.every((field) => Object.getOwnPropertySymbols(field).length === 0), 'no private flag on the public fields')
  const filter = filterOf(adapter.capabilities())
  const scope = { table: 'mixed', context }
  const pushed = Object.fromEntries(fields.map((field) => [field.code, filter({ ...field }, 'eq', scope)]))
  t.same(pushed, { N: true, D: false, S: false, W: true }, 'asked with copies of the fields, as the runtime does')
  t.equal(filter({ ...fields[0]!, code: 'COUNT', source: 'n' }, 'gt', scope), true, 'a field renamed by renameFields keeps its column')
  t.equal(filter(fields[0]!, 'eq', { table: 'never_described', context }), false, 'a table not described here: the runtime filters')
})

t.test('SQLite over HTTP: the runtime asks with the table and the request, and the answer is right either way', async (t) => {
  const path = await sqliteMixed(t)
  const asked: Array<[string, string, string, boolean]> = []
  class RecordingAdapter extends SqliteAdapter {
    override capabilities (): Capabilities {
      const inner = super.capabilities()
      const filter = filterOf(inner)
      return {
        ...inner,
        filter: (field, op, scope) => {
          const answer = filter(field, op, scope)
          asked.push([scope.table, scope.context.connection.token ?? '', field.code, answer])
          return answer
        }
      }
    }
  }
  const app = await buildServer({ adapter: new RecordingAdapter({ url: path, token: TOKEN }), logger: false })
  t.teardown(async () => await app.close())
  const answer = await app.inject({ method: 'POST', url: '/api/data', payload: { connection: { token: TOKEN }, table: 'mixed', select: ['N'], filter: { '>N': '1', D: '2.5' } } })
  t.equal(answer.statusCode, 200, answer.body)
  t.same(answer.json(), [['N'], [3]])
  t.same(asked.sort(), [['mixed', TOKEN, 'D', false], ['mixed', TOKEN, 'N', true]])
})

t.test('ClickHouse portal mode: one table and column, pushed for the portal whose column is exact, not for the other', async (t) => {
  const client = createClient({ url: CLICKHOUSE_URL })
  t.teardown(async () => await client.close())
  const suffix = Math.random().toString(16).slice(2, 10)
  const databases = { decimal: `b24bi_seam_dec_${suffix}`, integer: `b24bi_seam_int_${suffix}` }
  for (const [kind, database] of Object.entries(databases)) {
    await client.command({ query: `CREATE DATABASE ${database}` })
    t.teardown(async () => { await client.command({ query: `DROP DATABASE ${database}` }) })
    await client.command({ query: `CREATE TABLE ${database}.t (v ${kind === 'decimal' ? 'Decimal(10, 2)' : 'Int64'}) ENGINE = Memory` })
  }
  const adapter = new ClickHouseAdapter({ portal: { allowHosts: [CLICKHOUSE.host] } })
  t.teardown(async () => await adapter.close())
  const contextOf = (database: string): RequestContext => ({ connection: { host: CLICKHOUSE.host, port: CLICKHOUSE.port, database, user: 'default' }, log: silent })
  const decimal = contextOf(databases.decimal)
  const integer = contextOf(databases.integer)
  const [decimalFields, integerFields] = [await adapter.describeTable('t', decimal), await adapter.describeTable('t', integer)]
  t.same([decimalFields, integerFields].map((fields) => fields?.map((field) => [field.code, field.type])), [[['V', 'double']], [['V', 'int']]])
  const filter = filterOf(adapter.capabilities())
  t.equal(filter(decimalFields![0]!, 'eq', { table: 't', context: decimal }), false, 'Decimal: ClickHouse 18 compares it as a double')
  t.equal(filter(integerFields![0]!, 'eq', { table: 't', context: integer }), true, 'Int64: exact in the database')
  t.equal(filter(integerFields![0]!, 'eq', { table: 't', context: { ...integer, connection: { ...integer.connection, port: '9999' } } }), false,
    'settings with no pool of their own: the runtime filters')
})
