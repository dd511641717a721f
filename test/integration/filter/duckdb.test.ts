import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import fc from 'fast-check'
import t from 'tap'
import { compileFilter } from '../../../adapters/sql/compile-filter.js'
import { duckdbFilterSyntax } from '../../../adapters/files/duckdb-engine.js'
import { duckdbBuilder } from '../../../adapters/files/duckdb-types.js'
import { isB24biError } from '../../../src/core/errors.js'
import type { FieldInfo } from '../../../src/core/field-types.js'
import { compilePredicate } from '../../../src/filter/evaluate.js'
import { parseFilter } from '../../../src/filter/parse.js'
import { TimeZone } from '../../../src/core/time-zone.js'
import { FILTER_CASES, FILTER_FIELDS, FILTER_PORTAL_DATE_FORMAT, FILTER_ROWS, FILTER_TIME_ZONE } from '../../helpers/filter-cases.js'

const timeZone = new TimeZone(FILTER_TIME_ZONE)
const fieldsByCode = new Map(FILTER_FIELDS.map((field) => [field.code, field]))
const indexOf = (code: string): number => FILTER_FIELDS.findIndex((field) => field.code === code)

const DDL = `CREATE TABLE fixture ("ID" INTEGER, "BIG" BIGINT, "AMOUNT" DECIMAL(18, 2), "RATIO" DOUBLE, "TITLE" VARCHAR,
  "DAY" DATE, "MOMENT" TIMESTAMP, "STAMP" TIMESTAMPTZ, "o""dd; --" VARCHAR)`

async function openFixture (): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  await connection.run(DDL)
  for (const row of FILTER_ROWS) {
    const values = row.map((value) => value instanceof Date ? value.toISOString() : value) as Array<string | number | bigint | null>
    await connection.run('INSERT INTO fixture VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5)', values)
  }
  return connection
}

async function sqlIds (connection: DuckDBConnection, filter: unknown, fields: ReadonlyMap<string, FieldInfo> = fieldsByCode): Promise<number[]> {
  const node = parseFilter(filter, [...fields.values()], { timeZone, portalDateFormat: FILTER_PORTAL_DATE_FORMAT })
  let query = duckdbBuilder.selectFrom('fixture').select('ID').orderBy('ID')
  if (node !== undefined) query = query.where(compileFilter(node, duckdbFilterSyntax, fields))
  const { sql, parameters } = query.compile()
  const reader = await connection.runAndReadAll(sql, parameters as Array<string | number | bigint>)
  return reader.getRows().map((row) => Number(row[0]))
}

function evaluatorIds (filter: unknown): number[] {
  const node = parseFilter(filter, FILTER_FIELDS, { timeZone, portalDateFormat: FILTER_PORTAL_DATE_FORMAT })
  const rows = node === undefined ? FILTER_ROWS : FILTER_ROWS.filter(compilePredicate(node, indexOf, { timeZone }))
  return rows.map((row) => row[0] as number)
}

t.test('DuckDB', async (t) => {
  const connection = await openFixture()
  t.teardown(() => connection.closeSync())

  t.test('every filter case gives the evaluator\'s rows', async (t) => {
    for (const filterCase of FILTER_CASES) {
      t.same(await sqlIds(connection, filterCase.filter), filterCase.ids, filterCase.name)
    }
  })

  t.test('injection corpus in values: no extra rows, no uncoded errors', async (t) => {
    const corpus = ["' OR 1=1 --", "'; DROP TABLE fixture; --", '" OR ""="', '\\', "\\'", '%', '_', '%%', '*',
      '$1', '?', ') OR (1=1', '\u0000', '😀\u202e', 'x'.repeat(10_000), "O'Brien' OR 'a'='a"]
    for (const value of corpus) {
      for (const key of ['TITLE', '!TITLE', '%TITLE', '~TITLE', '>TITLE', 'ID', 'DAY', 'MOMENT', 'AMOUNT']) {
        const filter = { [key]: value, '<ID': '4' }
        let ids: number[] | undefined
        try {
          ids = await sqlIds(connection, filter)
        } catch (error) {
          t.ok(isB24biError(error) && error.statusCode === 400, `${key}=${value.slice(0, 20)}: a coded 400`)
          continue
        }
        t.same(ids, evaluatorIds(filter), `${key}=${value.slice(0, 20)}: the evaluator's rows`)
        t.ok(ids.every((id) => id < 4), 'no extra rows')
      }
    }
    t.same(await sqlIds(connection, {}), FILTER_ROWS.map((row) => row[0]), 'the table is intact')
  })

  t.test('injection corpus in field codes: a coded 400 naming the field', async (t) => {
    for (const key of ['ID" OR 1=1 --', 'ID; DROP TABLE fixture', '"ID"', 'id', 'ID ', '`ID`', "ID' --", '>=ID"--', 'Ä'.repeat(10_000)]) {
      try {
        await sqlIds(connection, { [key]: '1' })
        t.fail(`${key.slice(0, 20)} was accepted`)
      } catch (error) {
        t.ok(isB24biError(error) && error.statusCode === 400, `${key.slice(0, 20)}: a coded 400`)
      }
    }
  })

  t.test('a column whose source name holds quotes and a comment is quoted, not injected', async (t) => {
    const odd = new Map<string, FieldInfo>([['ID', { code: 'ID', type: 'int' }], ['ODD', { code: 'ODD', type: 'string', source: 'o"dd; --' }]])
    t.same(await sqlIds(connection, { ODD: 'plain' }, odd), [15])
    t.same(await sqlIds(connection, { '%ODD': "o'b" }, odd), [1])
  })

  t.test('random filters: DuckDB and the evaluator agree', async (t) => {
    await fc.assert(fc.asyncProperty(filterArbitrary, async (filter) => {
      return JSON.stringify(await sqlIds(connection, filter)) === JSON.stringify(evaluatorIds(filter))
    }), { numRuns: 300 })
    t.pass('300 random filters agree')
  })
})

const VALUES: Record<string, string[]> = {
  ID: ['0', '1', '3', '8', '16', '17'],
  BIG: ['9007199254740993', '9007199254740992', '-9007199254740993', '-5', '0', '3', '100', '9223372036854775807', '-99999999999999999999'],
  AMOUNT: ['2500.5', '2500.49', '0', '-0.01', '100.005', '1e2', '5.55', '0.1'],
  RATIO: ['0.1', '0.3', '0.30000000000000004', '-0.1', '1e-7', '100.01', '3'],
  TITLE: ["O'Brien", 'plain', 'plain ', 'ärger', 'Ä', 'e', '%', '_', '\\\\', 'MIXED', 'ｚ', '😀', 'a', 'p%', '%e%', '_rger', '%\\%%', ''],
  DAY: ['31.05.2025', '2024-02-29', '01.01.2025', '2025-06-02', '28.02.2024'],
  MOMENT: ['31.05.2025 17:01:55', '2025-03-30 02:30:00', '2025-10-26 02:30:00', '2025-05-31T15:01:55Z', '01.06.2025'],
  STAMP: ['31.05.2025 17:01:55', '2025-03-30 02:30:00', '2025-10-26 02:30:00', '2025-10-26T01:30:00Z', '01.06.2025']
}
const SCALAR_PREFIXES = ['', '=', '!', '!=', '<>', '>', '>=', '<', '<=', '!>', '!>=', '!<', '!<=']
const TEXT_PREFIXES = ['~', '!~', '%', '!%']
const DATED = new Set(['DAY', 'MOMENT', 'STAMP'])

const conditionArbitrary = fc.constantFrom(...Object.keys(VALUES)).chain((code) => {
  const pool = fc.constantFrom(...VALUES[code]!)
  const prefixes = code === 'TITLE' ? [...SCALAR_PREFIXES, ...TEXT_PREFIXES] : SCALAR_PREFIXES
  return fc.oneof(
    fc.tuple(fc.constantFrom(...prefixes), pool).map(([prefix, value]) => [prefix + code, value] as const),
    // The portal's shapes: a list on any operator, a list of [from, to] pairs, IS_NULL as 0 on dates.
    fc.tuple(fc.constantFrom(...prefixes), fc.array(pool, { minLength: 1, maxLength: 3 })).map(([prefix, list]) => [prefix + code, list] as const),
    fc.tuple(fc.constantFrom('><', '!><'), pool, pool).map(([prefix, a, b]) => [prefix + code, [a, b]] as const),
    fc.tuple(fc.constantFrom('><', '!><'), fc.array(fc.tuple(pool, pool), { minLength: 1, maxLength: 2 })).map(([prefix, pairs]) => [prefix + code, pairs] as const),
    fc.constantFrom('', '=', '!', '!=').map((prefix) => [prefix + code, DATED.has(code) ? '0' : VALUES[code]![0]!] as const),
    fc.constantFrom('', '!').map((prefix) => [prefix + code, null] as const)
  )
})

function groupArbitrary (depth: number): fc.Arbitrary<Record<string, unknown>> {
  const groups = depth <= 1 ? fc.constant([]) : fc.array(groupArbitrary(depth - 1), { maxLength: 2 })
  return fc.tuple(fc.constantFrom(undefined, 'AND', 'OR', 'or'), fc.array(conditionArbitrary, { maxLength: 3 }), groups)
    .map(([logic, conditions, nested]) => {
      const filter: Record<string, unknown> = Object.fromEntries(conditions)
      nested.forEach((group, index) => { filter[String(index)] = group })
      if (logic !== undefined) filter.LOGIC = logic
      return filter
    })
}

// A filter is a group, or (as the portal sends a groups-only filter) a list of AND-ed groups.
const filterArbitrary = fc.oneof(groupArbitrary(3), fc.array(groupArbitrary(2), { minLength: 1, maxLength: 2 }))
