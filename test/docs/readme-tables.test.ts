import { readFileSync } from 'node:fs'
import t from 'tap'
import { typeTables } from '../../src/cli/type-tables.js'
import { FIELD_TYPES } from '../../src/core/field-types.js'
import { FILTER_KEY_PREFIXES } from '../../src/filter/parse.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

function block (id: string): string | undefined {
  const start = `<!-- types:${id}:start -->\n`
  const end = `\n<!-- types:${id}:end -->`
  const from = readme.indexOf(start)
  const to = readme.indexOf(end)
  return from < 0 || to < from ? undefined : readme.slice(from + start.length, to)
}

t.test('every README type table is the one the rule arrays generate (npm run docs rewrites them)', async (t) => {
  for (const { id, table } of typeTables()) t.equal(block(id), table, `the ${id} table`)
})

t.test('the README has no type table the generator does not write', async (t) => {
  const ids = [...readme.matchAll(/<!-- types:([a-z0-9-]+):start -->/g)].map((match) => match[1])
  t.same(ids, typeTables().map((entry) => entry.id))
})

t.test('a documented portal type is the mapped one: rows follow the rules, and instants and runtime filtering are said', async (t) => {
  const postgres = typeTables().find((entry) => entry.id === 'postgres')!.table
  t.match(postgres, '| timestamp with time zone | datetime (an instant, shown in the configured zone) |')
  const sqlite = typeTables().find((entry) => entry.id === 'sqlite')!.table
  t.match(sqlite, /\| DECIMAL, NUMERIC \| double \(.*filtered by the runtime\) \|/)
})

t.test('npm run docs regenerates the errors and type tables', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }
  t.match(pkg.scripts.docs, /errors-table\.mjs.*type-tables\.mjs/)
})

/** The rows of the README table whose header line is `header`, split into cells. */
function tableRows (header: string): string[][] {
  const lines = readme.slice(readme.indexOf(header)).split('\n')
  const rows: string[][] = []
  for (const line of lines.slice(2)) {
    if (!line.startsWith('|')) break
    rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()))
  }
  return rows
}

t.test('the types and formats table lists every portal type once, and no other', async (t) => {
  const listed = tableRows('| portal type | written as |').flatMap(([types = '']) => [...types.matchAll(/`([a-z]+)`/g)].map((match) => match[1]))
  t.same([...listed].sort(), [...FIELD_TYPES].sort())
})

t.test('the query model table names every filter key prefix, and its negation', async (t) => {
  const rows = tableRows('| key | meaning |')
  const keys = rows.map(([key = '']) => key).join(' ')
  for (const [prefix] of FILTER_KEY_PREFIXES) {
    t.ok(keys.includes(`\`${prefix}FIELD\``), `${prefix}FIELD is documented`)
    if (prefix !== '<>' && prefix !== '=') t.ok(rows.some(([key, meaning = '']) => key?.startsWith('`!`') && meaning.includes(`\`!${prefix}\``)), `!${prefix} is documented`)
  }
})

t.test('every built-in type rule names its types in words (an unnamed rule would show its pattern)', async (t) => {
  for (const { id, table } of typeTables()) t.notMatch(table, /\| `\/.*\/` \|/, `the ${id} table has no bare pattern`)
})
