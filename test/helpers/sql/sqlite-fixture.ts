import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { FILTER_ROWS } from '../filter-cases.js'
import { DST_ROWS, EDGE_ROWS, EXACT_ROWS } from './suite.js'

const utcWall = (value: Date | string): string => new Date(value).toISOString().slice(0, 19).replace('T', ' ')

/** A fresh database file with the suite's tables; removed by the returned cleanup. */
export async function sqliteFile (): Promise<{ path: string, remove: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-sqlite-'))
  const path = join(directory, 'test.db')
  const db = new Database(path)
  db.exec(`CREATE TABLE fixture (id INTEGER, big BIGINT, amount DECIMAL(18, 2), ratio REAL, title TEXT, day DATE, moment DATETIME, stamp TIMESTAMPTZ);
    CREATE TABLE exact_values (id INTEGER, i64 BIGINT, amount TEXT);
    CREATE TABLE dst (id INTEGER, stamp TIMESTAMPTZ);
    CREATE TABLE edge_values (id INTEGER, txt TEXT, ratio REAL, day DATE, moment DATETIME, zone TEXT)`)
  const insert = db.prepare('INSERT INTO fixture VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  for (const row of FILTER_ROWS) insert.run(...row.map((value, index) => value instanceof Date ? utcWall(value) : index === 2 && value !== null ? Number(value) : value))
  const exact = db.prepare('INSERT INTO exact_values VALUES (?, ?, ?)')
  for (const [id, i64, amount] of EXACT_ROWS) exact.run(id, i64 === null ? null : BigInt(i64), amount)
  const dst = db.prepare('INSERT INTO dst VALUES (?, ?)')
  for (const [id, instant] of DST_ROWS) dst.run(id, utcWall(instant))
  const edge = db.prepare('INSERT INTO edge_values VALUES (?, ?, ?, ?, ?, ?)')
  for (const row of EDGE_ROWS) edge.run(...row)
  db.close()
  return { path, remove: async () => await rm(directory, { recursive: true, force: true }) }
}
