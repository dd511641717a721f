import pg from 'pg'
import pino from 'pino'
import t from 'tap'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { postgresSchema, URL } from '../../helpers/sql/postgres-fixture.js'
import { buildServer } from '../../../src/server/index.js'
import { sqlAdapterSuite } from '../../helpers/sql/suite.js'

const TOKEN = 'pg-token-5a1c'

t.test('PostgreSQL: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    dataset: true,
    name: 'postgres',
    writesRows: true,
    extraExactColumns: ['CASH'],
    open: async () => {
      const { schema, drop } = await postgresSchema()
      const adapter = new PostgresAdapter({
        url: URL,
        token: TOKEN,
        defaultSchema: schema,
        exposure: { schemas: { allow: [schema] } },
        datasets: [{ name: 'small_ids', sql: `SELECT id, title FROM ${schema}.fixture WHERE id <= 3` }],
        types: { fixture: { AMOUNT: 'money' }, edge_values: { ZONE: 'timezone' } }
      })
      return { adapter, connection: { token: TOKEN }, cleanup: drop }
    }
  })
})

t.test('PostgreSQL: views listed, deny lists honoured, unknown types read as strings with a logged note', async (t) => {
  const schema = `b24bi_${Math.random().toString(36).slice(2, 10)}`
  const client = new pg.Client(URL)
  await client.connect()
  t.teardown(async () => {
    await client.query(`DROP SCHEMA ${schema} CASCADE`)
    await client.end()
  })
  await client.query(`CREATE SCHEMA ${schema}`)
  await client.query(`CREATE TYPE ${schema}.mood AS ENUM ('sad', 'happy')`)
  await client.query(`CREATE TABLE ${schema}.people (id bigint, feeling ${schema}.mood, active boolean, tags text[], "createdAt" timestamptz)`)
  await client.query(`INSERT INTO ${schema}.people VALUES (1, 'happy', true, '{a,b}', '2026-03-29T01:30:00Z'), (2, 'sad', false, NULL, NULL)`)
  await client.query(`CREATE VIEW ${schema}.happy_people AS SELECT id FROM ${schema}.people WHERE feeling = 'happy'`)
  await client.query(`CREATE TABLE ${schema}.hidden_keys (secret text)`)
  const notes: unknown[] = []
  const log = { debug: () => {}, info: (entry: unknown) => notes.push(entry), warn: () => {}, error: () => {} }
  const adapter = new PostgresAdapter({ url: URL, token: TOKEN, exposure: { schemas: { allow: [schema] }, tables: { deny: ['hidden_*'] } } })
  const app = await buildServer({ adapter, loggerInstance: pino({ level: 'silent' }) as never })
  t.teardown(() => app.close())
  const context = { connection: { token: TOKEN }, log }
  t.same((await adapter.listTables('', context)).map((table) => table.code).sort(), [`${schema}.happy_people`, `${schema}.people`])
  const fields = await adapter.describeTable(`${schema}.people`, context)
  t.same(fields?.map((field) => [field.code, field.type]), [['ID', 'int'], ['FEELING', 'string'], ['ACTIVE', 'int'], ['TAGS', 'string'], ['CREATEDAT', 'datetime']])
  t.match(notes, [{ column: 'feeling', dataType: `${schema}.mood` }], 'the unknown enum type is noted')
  t.equal(await adapter.describeTable(`${schema}.hidden_keys`, context), undefined, 'a denied table is not described')
  const answer = await app.inject({ method: 'POST', url: '/api/data', payload: { connection: { token: TOKEN }, table: `${schema}.people`, filter: { FEELING: 'happy', ACTIVE: '1' } } })
  t.same(answer.json(), [['ID', 'FEELING', 'ACTIVE', 'TAGS', 'CREATEDAT'], [1, 'happy', 1, '{a,b}', '2026-03-29 01:30:00']],
    'enum and boolean filtered in SQL, read as text and 1/0, instants in UTC by default')
})
