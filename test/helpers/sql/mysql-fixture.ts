import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import { FILTER_ROWS } from '../filter-cases.js'
import { MYSQL } from '../services.js'
import { DST_ROWS, EDGE_ROWS, EXACT_ROWS } from './suite.js'

/** The suite's MariaDB server, without a database (see test/helpers/services.ts). */
export const SERVER = MYSQL.server

const utcWall = (value: Date | string): string => new Date(value).toISOString().slice(0, 19).replace('T', ' ')

/** A fresh database with the suite's tables; dropped by the returned cleanup. */
export async function mysqlDatabase (): Promise<{ database: string, drop: () => Promise<void> }> {
  const database = `b24bi_${randomBytes(4).toString('hex')}`
  const client = await mysql.createConnection({ uri: SERVER, charset: 'utf8mb4', supportBigNumbers: true, bigNumberStrings: true })
  try {
    await client.query("SET time_zone = '+00:00'")
    await client.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`)
    await client.query(`CREATE TABLE ${database}.fixture (id INT, big BIGINT, amount DECIMAL(18,2), ratio DOUBLE, title VARCHAR(100),
      day DATE, moment DATETIME, stamp TIMESTAMP NULL)`)
    for (const row of FILTER_ROWS) {
      const values = row.map((value, index) => value instanceof Date ? utcWall(value) : typeof value === 'bigint' ? String(value) : index === 3 && value !== null ? Number(value) : value)
      await client.query(`INSERT INTO ${database}.fixture VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, values)
    }
    await client.query(`CREATE TABLE ${database}.exact_values (id INT, i64 BIGINT, amount DECIMAL(38,2))`)
    for (const row of EXACT_ROWS) await client.query(`INSERT INTO ${database}.exact_values VALUES (?, ?, ?)`, [...row])
    await client.query(`CREATE TABLE ${database}.dst (id INT, stamp TIMESTAMP NULL)`)
    for (const [id, instant] of DST_ROWS) await client.query(`INSERT INTO ${database}.dst VALUES (?, ?)`, [id, utcWall(instant)])
    await client.query(`CREATE TABLE ${database}.edge_values (id INT, txt TEXT, ratio DOUBLE, day DATE, moment DATETIME, zone VARCHAR(64))`)
    for (const row of EDGE_ROWS) await client.query(`INSERT INTO ${database}.edge_values VALUES (?, ?, ?, ?, ?, ?)`, [...row])
  } finally {
    await client.end()
  }
  return {
    database,
    drop: async () => {
      const dropper = await mysql.createConnection({ uri: SERVER })
      await dropper.query(`DROP DATABASE ${database}`)
      await dropper.end()
    }
  }
}
