import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { SqlAdapter } from '../../../adapters/sql/index.js'
import { sqliteFile } from '../../helpers/sql/sqlite-fixture.js'
import { sqlAdapterSuite } from '../../helpers/sql/suite.js'
import { TOY_STATEMENTS, toyEngine } from '../../helpers/sql/toy-engine.js'

const TOKEN = 'toy-token-5c2e'

t.test('a toy engine defined outside adapters/sql: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    dataset: true,
    name: 'toy',
    exactDecimals: false,
    open: async () => {
      const { path, remove } = await sqliteFile()
      const adapter = new SqlAdapter(toyEngine, {
        url: path,
        token: TOKEN,
        datasets: [{ name: 'small_ids', sql: 'SELECT id, title FROM fixture WHERE id <= 3' }],
        types: { fixture: { AMOUNT: 'money' }, exact_values: { AMOUNT: 'money' }, edge_values: { ZONE: 'timezone' } }
      })
      return { adapter, connection: { token: TOKEN }, cleanup: remove }
    }
  })

  t.test("the reads ran the toy's own SQL", async (t) => {
    const texts = TOY_STATEMENTS.map((statement) => statement.sql)
    t.ok(texts.length > 0 && texts.every((text) => text.includes('`source`')), 'identifiers in backticks')
    t.ok(texts.some((text) => /:p1\b/.test(text)) && texts.every((text) => !text.includes('?')), 'named :pN parameters')
    t.ok(texts.some((text) => text.includes('toy_like(')), 'LIKE through its own function')
    t.ok(texts.some((text) => text.includes('date(:p')) && texts.some((text) => text.includes('datetime(:p')), 'its own date rules')
  })
})

t.test('the shared SQL code names no engine: a new engine is a new folder', async (t) => {
  const folder = join(import.meta.dirname, '../../../adapters/sql')
  for (const name of await readdir(folder)) {
    const text = await readFile(join(folder, name), 'utf8')
    t.notMatch(text, /engine(\.name)? ===|switch \(engine/, `${name} never compares engine names`)
    t.notMatch(text, /'(postgres|mysql|sqlite|clickhouse|duckdb|toy)'/, `${name} holds no engine's name`)
  }
})

t.test('a malformed engine definition fails when the adapter is built, naming what is wrong', async (t) => {
  const options = { url: '/nowhere.db', token: TOKEN }
  const cases: Array<[string, unknown, RegExp]> = [
    ['no name', { ...toyEngine, name: '' }, /needs a name/],
    ['no builder', { ...toyEngine, builder: {} }, /builder/],
    ['types not a list', { ...toyEngine, types: {} }, /types/],
    ['a required method missing', { ...toyEngine, connect: undefined }, /connect must be a function/],
    ['an optional method that is not one', { ...toyEngine, like: 'LIKE' }, /like must be a function when given/]
  ]
  for (const [name, engine, message] of cases) {
    t.throws(() => new SqlAdapter(engine as typeof toyEngine, options), { code: 'B24BI_ERR_CONFIG_INVALID', message }, name)
  }
  const adapter = new SqlAdapter({ ...toyEngine, like: undefined }, options)
  t.ok(adapter, 'a defaulted method may be left out')
  await adapter.close()
})
