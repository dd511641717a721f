import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'
import { Type } from 'typebox'
import { buildServer } from '../../../src/server/index.js'
import { describeSchema, Int64, Money, TypedAdapter, type TypedReaders, Zoned } from '../../../src/core/typed-adapter.js'

const here = dirname(fileURLToPath(import.meta.url))

const tables = {
  deals: Type.Object({
    ID: Int64({ title: 'Deal id' }),
    TITLE: Type.String(),
    AMOUNT: Money(),
    PROBABILITY: Type.Number(),
    STAGES: Type.Integer(),
    WON: Type.Boolean(),
    CLOSED_ON: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    UPDATED: Type.String({ format: 'date-time' }),
    CREATED: Zoned(),
    NOTE: Type.Optional(Type.String())
  }, { title: 'Deals' })
}

class Deals extends TypedAdapter<typeof tables> {
  readonly readers: TypedReaders<typeof tables> = {
    deals: async function * () {
      yield [
        { ID: '9223372036854775807', TITLE: 'Big', AMOUNT: '12345678901234567.89', PROBABILITY: 0.5, STAGES: 3, WON: true, CLOSED_ON: '2026-03-29', UPDATED: '2026-03-29 02:30:00', CREATED: new Date('2026-03-29T01:30:00Z') },
        { ID: 2n, TITLE: 'Small', AMOUNT: 10.5, PROBABILITY: 0, STAGES: 1, WON: false, CLOSED_ON: null, UPDATED: '2026-01-01 00:00:00', CREATED: new Date(0), NOTE: 'n' }
      ]
    }
  }

  constructor () {
    super(tables)
  }
}

t.test('the description comes from the schema', async (t) => {
  t.same(describeSchema(tables.deals), [
    { code: 'ID', type: 'int', name: 'Deal id' },
    { code: 'TITLE', type: 'string' },
    { code: 'AMOUNT', type: 'money' },
    { code: 'PROBABILITY', type: 'double' },
    { code: 'STAGES', type: 'int' },
    { code: 'WON', type: 'int' },
    { code: 'CLOSED_ON', type: 'date' },
    { code: 'UPDATED', type: 'datetime' },
    { code: 'CREATED', type: 'datetime', zoned: true },
    { code: 'NOTE', type: 'string' }
  ])
})

t.test('a typed adapter serves its tables through the connector', async (t) => {
  const server = await buildServer({ adapter: new Deals(), logger: false, runtime: { timeZone: 'Europe/Berlin' } })
  t.teardown(() => server.close())
  const list = await server.inject({ method: 'POST', url: '/api/table_list', payload: { connection: {} } })
  t.same(list.json(), [{ code: 'deals', title: 'Deals' }])
  const data = await server.inject({ method: 'POST', url: '/api/data', payload: { connection: {}, table: 'deals', select: ['ID', 'AMOUNT', 'WON', 'CREATED', 'NOTE'] } })
  t.equal(data.body, '[["ID","AMOUNT","WON","CREATED","NOTE"],[9223372036854775807,12345678901234567.89,1,"2026-03-29 03:30:00",null],[2,10.5,0,"1970-01-01 01:00:00","n"]]')
})

// The same adapter as an author would write it, once right and once with each mistake: compiled by TypeScript.
const SOURCE = (reader: string): string => `
import { Type } from 'typebox'
import { Int64, Money, TypedAdapter, type TypedReaders, Zoned } from '../../../src/core/typed-adapter.js'
const tables = { deals: Type.Object({ ID: Int64(), TITLE: Type.String(), AMOUNT: Money(), CREATED: Zoned(), CLOSED_ON: Type.Union([Type.String({ format: 'date' }), Type.Null()]) }) }
export class Deals extends TypedAdapter<typeof tables> {
  readonly readers: TypedReaders<typeof tables> = {
    deals: async function * () { yield [${reader}] }
  }
  constructor () { super(tables) }
}
`

/** Compiles each reader in its own virtual file of one program (one program: TypeScript starts once). */
function diagnostics (readers: readonly string[]): string[][] {
  const files = readers.map((_, index) => join(here, `__typed_table_check_${index}__.ts`))
  const sources = new Map(files.map((file, index) => [file, SOURCE(readers[index]!)]))
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node']
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.readFile = (name) => sources.get(name) ?? readFile(name)
  host.fileExists = (name) => sources.has(name) || fileExists(name)
  host.getSourceFile = (name, version, ...rest) => sources.has(name)
    ? ts.createSourceFile(name, sources.get(name)!, version)
    : getSourceFile(name, version, ...rest)
  const program = ts.createProgram(files, options, host)
  return files.map((file) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')))
}

t.test('a reader yielding the wrong row shape does not compile', async (t) => {
  const right = "{ ID: '9223372036854775807', TITLE: 'a', AMOUNT: '1.10', CREATED: new Date(), CLOSED_ON: null }"
  const wrong: Array<[string, string]> = [
    ['a missing field', '{ ID: 1, AMOUNT: 1, CREATED: new Date(), CLOSED_ON: null }'],
    ['a number where a string is declared', '{ ID: 1, TITLE: 42, AMOUNT: 1, CREATED: new Date(), CLOSED_ON: null }'],
    ['a string where an instant is declared', "{ ID: 1, TITLE: 'a', AMOUNT: 1, CREATED: '2026-01-01', CLOSED_ON: null }"],
    ['a boolean where a 64-bit integer is declared', "{ ID: true, TITLE: 'a', AMOUNT: 1, CREATED: new Date(), CLOSED_ON: null }"],
    ['a positional row', "[1, 'a', 1, new Date(), null]"]
  ]
  const [ok, ...errors] = diagnostics([right, ...wrong.map(([, reader]) => reader)])
  t.same(ok, [], 'the right shape compiles')
  wrong.forEach(([mistake], index) => t.ok(errors[index]!.length > 0, `${mistake} is a compile error`, { found: errors[index] }))
})

// Checked by `npm run typecheck` (tsc over test/) as well: each line below must stay an error.
export const typeLevel: TypedReaders<typeof tables> = {
  // @ts-expect-error TITLE is missing and ID is a boolean
  deals: async function * () { yield [{ ID: true, AMOUNT: 1, PROBABILITY: 0, STAGES: 1, WON: true, CLOSED_ON: null, UPDATED: '', CREATED: new Date() }] }
}
