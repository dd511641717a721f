import { readFileSync } from 'node:fs'
import t from 'tap'
import { ENV_VARS } from '../../../src/cli/config-env.js'
import { docFiles, fillBlocks, markersIn } from '../../../src/cli/doc-blocks.js'
import { typeTables } from '../../../src/cli/type-tables.js'
import { FIELD_TYPES } from '../../../src/core/field-types.js'
import { FILTER_KEY_PREFIXES } from '../../../src/filter/parse.js'

const read = (file: string): string => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')

t.test('every generated part of docs/ is what the code generates (npm run docs rewrites them)', async (t) => {
  for (const { file, blocks } of docFiles()) {
    const committed = read(file)
    t.equal(committed, fillBlocks(committed, blocks), `${file} is up to date`)
    t.same(markersIn(committed), blocks.map((block) => block.marker), `${file} has a place for each generated block, and no other`)
  }
})

t.test('a doc whose generated part was edited by hand, or lost its markers, is caught', async (t) => {
  const { file, blocks } = docFiles().find((entry) => entry.file === 'docs/errors.md')!
  const committed = read(file)
  const tampered = committed.replace('| `B24BI_ERR_TABLE_NOT_FOUND` | 404 |', '| `B24BI_ERR_TABLE_NOT_FOUND` | 400 |')
  t.not(tampered, committed)
  t.not(fillBlocks(tampered, blocks), tampered, 'a hand-edited row differs from the generated table')
  t.throws(() => fillBlocks(committed.replace('<!-- errors:end -->', ''), blocks), /no <!-- errors:start --> \.\.\. <!-- errors:end --> block/)
})

t.test('npm run docs runs the generator the test compares with', async (t) => {
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> }
  t.match(pkg.scripts.docs, /npm run build .*&& node scripts\/docs\.mjs$/)
  t.match(read('scripts/docs.mjs'), /dist\/src\/cli\/doc-blocks\.js/)
})

t.test('the configuration reference names every env var serve reads, and says what each setting means', async (t) => {
  const configuration = read('docs/configuration.md')
  t.same(ENV_VARS.map(([name]) => name).filter((name) => !configuration.includes(`\`${name}\``)), [], 'every env var is documented')
  const serve = configuration.slice(configuration.indexOf('<!-- config:serve:start -->'), configuration.indexOf('<!-- config:adapter:end -->'))
  const silent = serve.split('\n').filter((line) => /^\| `[^`]+` \| `/.test(line) && line.endsWith('|  |'))
  t.same(silent, [], 'every setting with an env var has a description in its schema')
})

t.test('a documented portal type is the mapped one: rows follow the rules, and instants and runtime filtering are said', async (t) => {
  const postgres = typeTables().find((entry) => entry.id === 'postgres')!.table
  t.match(postgres, '| timestamp with time zone | datetime (an instant, shown in the configured zone) |')
  const sqlite = typeTables().find((entry) => entry.id === 'sqlite')!.table
  t.match(sqlite, /\| DECIMAL, NUMERIC \| double \(.*filtered by the runtime\) \|/)
})

t.test('every built-in type rule names its types in words (an unnamed rule would show its pattern)', async (t) => {
  for (const { id, table } of typeTables()) t.notMatch(table, /\| `\/.*\/` \|/, `the ${id} table has no bare pattern`)
})

/** The rows of the query model's table whose header line is `header`, split into cells. */
function tableRows (header: string): string[][] {
  const doc = read('docs/query-model.md')
  const lines = doc.slice(doc.indexOf(header)).split('\n')
  const rows: string[][] = []
  for (const line of lines.slice(2)) {
    if (!line.startsWith('|')) break
    rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()))
  }
  return rows
}

t.test('the values and formats table lists every portal type once, and no other', async (t) => {
  const listed = tableRows('| portal type | written as |').flatMap(([types = '']) => [...types.matchAll(/`([a-z]+)`/g)].map((match) => match[1]))
  t.same([...listed].sort(), [...FIELD_TYPES].sort())
})

t.test('the filter table names every filter key prefix, and its negation', async (t) => {
  const rows = tableRows('| key | meaning |')
  const keys = rows.map(([key = '']) => key).join(' ')
  for (const [prefix] of FILTER_KEY_PREFIXES) {
    t.ok(keys.includes(`\`${prefix}FIELD\``), `${prefix}FIELD is documented`)
    if (prefix !== '<>' && prefix !== '=') t.ok(rows.some(([key, meaning = '']) => key?.startsWith('`!`') && meaning.includes(`\`!${prefix}\``)), `!${prefix} is documented`)
  }
})
