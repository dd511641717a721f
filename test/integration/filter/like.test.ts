import { DuckDBInstance } from '@duckdb/node-api'
import fc from 'fast-check'
import mysql from 'mysql2/promise'
import pg from 'pg'
import t from 'tap'
import { pgConfig } from '../../../bench/seed.js'
import { SERVER as MYSQL_SERVER } from '../../helpers/sql/mysql-fixture.js'
import type { FieldType } from '../../../src/core/field-types.js'
import type { FilterValue } from '../../../src/core/filter-ast.js'
import { comparator, membership } from '../../../src/filter/compare.js'
import { likeMatcher } from '../../../src/filter/like.js'

// Characters that make LIKE interesting: wildcards, the escape, an astral character and a surrogate pair's pieces.
const TEXT_CHARS = ['a', 'b', 'ab', '%', '_', '\\', '😀', 'é', ' ']
const PATTERN_PARTS = ['a', 'b', '%', '%', '_', '_', '\\%', '\\_', '\\\\', '\\a', '😀', 'é', ' ']

const text = fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: 8 }).map((parts) => parts.join(''))
const pattern = fc.array(fc.constantFrom(...PATTERN_PARTS), { maxLength: 7 }).map((parts) => parts.join(''))

t.test('the LIKE matcher agrees with DuckDB on random patterns and texts', async (t) => {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  t.teardown(() => connection.closeSync())
  const duckdb = async (value: string, like: string): Promise<boolean> => {
    const reader = await connection.runAndReadAll("SELECT $1 LIKE $2 ESCAPE '\\'", [value, like])
    return reader.getRows()[0]![0] === true
  }
  let matched = 0
  await fc.assert(fc.asyncProperty(text, pattern, async (value, like) => {
    const expected = await duckdb(value, like)
    if (expected) matched++
    return likeMatcher(like)(value) === expected
  }), { numRuns: 2000 })
  t.ok(matched > 50, `${matched} of 2000 random pairs matched (the property is not all misses)`)
  const fixed: Array<[string, string]> = [
    ['a😀b', 'a_b'], ['😀', '__'], ['%', '\\%'], ['a%', 'a\\%'], ['ab', 'a%%%b'], ['aab', '%a_'], ['a', '%a%a%'],
    ['\\', '\\\\'], ['abcabc', '%bc%c'], ['ba', '%a%b'], ['', '%'], ['', '_'], ['x', ''], ['', '']
  ]
  for (const [value, like] of fixed) t.equal(likeMatcher(like)(value), await duckdb(value, like), `'${value}' LIKE '${like}'`)
})

t.test('the LIKE matcher agrees with PostgreSQL and MySQL, LIKE written as their engines write it', async (t) => {
  const client = new pg.Client(pgConfig())
  await client.connect()
  t.teardown(async () => await client.end())
  const my = await mysql.createConnection({ uri: MYSQL_SERVER, charset: 'utf8mb4' })
  t.teardown(async () => await my.end())
  // adapters/postgres/postgres-engine.ts and adapters/mysql/mysql-engine.ts
  const engines: Array<[string, (value: string, like: string) => Promise<boolean>]> = [
    ['PostgreSQL', async (value, like) => (await client.query('SELECT $1::text COLLATE "C" LIKE $2 ESCAPE \'\\\' AS m', [value, like])).rows[0].m === true],
    ['MySQL', async (value, like) => {
      const [rows] = await my.query('SELECT CONVERT(? USING utf8mb4) LIKE (? COLLATE utf8mb4_bin) AS m', [value, like])
      return Number((rows as Array<{ m: number }>)[0]!.m) === 1
    }]
  ]
  for (const [name, engine] of engines) {
    let matched = 0
    await fc.assert(fc.asyncProperty(text, pattern, async (value, like) => {
      const expected = await engine(value, like)
      if (expected) matched++
      return likeMatcher(like)(value) === expected
    }), { numRuns: 1000 })
    t.ok(matched > 20, `${name}: ${matched} of 1000 random pairs matched, every answer the same as the matcher's`)
  }
})

t.test('patterns that make a backtracking regular expression explode are one scan', async (t) => {
  const row = 'Meeting notes for customer number 1 about the renewal'
  for (const like of ['%%%%%%%%!', '%_%_%_%_%_%_%_!', `${'%a'.repeat(500)}!`, `%${'_'.repeat(200)}!`]) {
    t.equal(likeMatcher(like)(row), false, like.slice(0, 20))
    t.equal(likeMatcher(like)('a'.repeat(10_000)), false, `${like.slice(0, 20)} on 10,000 characters`)
  }
  t.equal(likeMatcher('%_%_%_%_%_%_%_!')(`${row}!`), true)
})

t.test('IN as a set equals IN through the comparators, on every row shape', async (t) => {
  const at = (iso: string): Date => new Date(iso)
  const cases: Array<[FieldType, FilterValue[], unknown[]]> = [
    ['int', ['12', '-5', '9007199254740993'], [12, 12n, '12', '12.000', ' 12 ', -5n, '-5', 9007199254740993n, 9007199254740992, '9007199254740993', true, false, 1.5, Number.NaN, 'x', null, undefined, {}]],
    ['money', ['0', '0.1', '2500.5'], [0, -0, 0n, '0.00', '-0', 0.1, '0.10', '.1', 2500.5, '2500.50', false, '1e-1', 'abc']],
    ['double', ['1', '0.30000000000000004'], [1, true, 0.1 + 0.2, 0.3, '1.0', 1n]],
    ['string', ['a', '1', ''], ['a', 'A', 1, true, '', ' ', null]],
    ['date', ['2025-05-31', '2024-02-29'], ['2025-05-31', '2025-05-31 10:00:00', at('2025-05-31T00:00:00Z'), at('2024-02-29T23:59:59Z'), '2025-06-01', 20250531]],
    ['datetime', [{ wall: '2025-05-31 17:01:55', instant: at('2025-05-31T15:01:55Z') }, { wall: '2025-06-01 00:00:00', instant: at('2025-05-31T22:00:00Z') }],
      ['2025-05-31 17:01:55', '2025-05-31T17:01:55', '2025-05-31 17:01:55.000', '2025-05-31 17:01:55.5', '2025-05-31T15:01:55Z', '2025-05-31T17:01:55+02:00',
        at('2025-05-31T15:01:55Z'), at('2025-05-31T15:01:56Z'), '2025-06-01', '2025-06-01 00:00:00', 'garbage', 12, null]]
  ]
  for (const [type, values, rows] of cases) {
    const isMember = membership(type, values)
    const compares = values.map((value) => comparator(type, value))
    for (const row of rows) {
      const expected = row !== null && row !== undefined && compares.some((compare) => compare(row) === 0)
      t.equal(isMember(row), expected, `${type}: ${typeof row === 'bigint' ? `${row}n` : JSON.stringify(row)}`)
    }
  }
})
