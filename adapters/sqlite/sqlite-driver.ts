import { setImmediate as nextTurn } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { ERR_QUERY_TIMEOUT } from '../../src/core/errors.js'
import type { SqlCatalog, SqlDriver, SqlQueryColumn, SqlStatement, SqlStreamOptions, SqlTarget } from '../sql/sql-driver.js'

const CATALOG = `SELECT m.name AS "table", p.name AS "column", p.type AS data_type
FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.cid`

/**
 * SQLite's built-in `lower()` folds ASCII only. Registered as `lower` so that `%FIELD` (contains, case-insensitive)
 * folds like the in-memory evaluator (JS `toLowerCase`).
 */
function sqliteLower (value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value
}

function pathOf (url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url
}

/**
 * `better-sqlite3`, read-only. Each read opens its own handle (a handle runs one statement at a time) and
 * iterates in batches, yielding to the event loop between them; integers come as bigints. The statement
 * timeout and cancellation are checked between batches (SQLite cannot interrupt a step in progress).
 */
export class SqliteDriver implements SqlDriver {
  readonly #path: string
  #catalog: Database.Database | undefined

  constructor (target: SqlTarget) {
    this.#path = pathOf(target.url ?? '')
  }

  #open (): Database.Database {
    const db = new Database(this.#path, { readonly: true, fileMustExist: true })
    db.function('lower', { deterministic: true }, sqliteLower)
    return db
  }

  #shared (): Database.Database {
    this.#catalog ??= this.#open()
    return this.#catalog
  }

  async introspect (): Promise<SqlCatalog> {
    const rows = this.#shared().prepare(CATALOG).all() as Array<{ table: string, column: string, data_type: string | null }>
    return { defaultSchema: 'main', columns: rows.map((row) => ({ schema: 'main', table: row.table, column: row.column, dataType: row.data_type ?? '' })) }
  }

  async describeQuery (sql: string): Promise<SqlQueryColumn[]> {
    return this.#shared().prepare(sql).columns().map((column) => ({ column: column.name, dataType: column.type ?? '' }))
  }

  async * stream (statement: SqlStatement, options: SqlStreamOptions): AsyncGenerator<unknown[][]> {
    const db = this.#open()
    const started = Date.now()
    try {
      const rows = db.prepare(statement.sql).raw(true).safeIntegers(true).iterate(...(statement.parameters as unknown[])) as IterableIterator<unknown[]>
      try {
        let batch: unknown[][] = []
        for (const row of rows) {
          batch.push(row)
          if (batch.length < options.batchSize) continue
          yield batch
          batch = []
          await nextTurn()
          if (options.signal.aborted) return
          if (Date.now() - started > options.timeoutMs) throw new ERR_QUERY_TIMEOUT(String(options.timeoutMs / 1000))
        }
        if (batch.length > 0) yield batch
      } finally {
        rows.return?.()
      }
    } finally {
      db.close()
    }
  }

  async ping (): Promise<void> {
    this.#shared().prepare('SELECT 1').get()
  }

  async close (): Promise<void> {
    this.#catalog?.close()
    this.#catalog = undefined
  }
}
