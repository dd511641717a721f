import type { SqlDriver, SqlStatement, SqlStreamOptions } from './sql-driver.js'

/**
 * A driver whose library is loaded on first use: `open` (which imports it) runs once, on the first call that needs
 * a connection, and again after it failed. So importing an engine's adapter never loads its driver package.
 */
export function lazyDriver (open: () => Promise<SqlDriver>): SqlDriver {
  let opened: Promise<SqlDriver> | undefined
  const driver = async (): Promise<SqlDriver> => {
    opened ??= open().catch((error: unknown) => {
      opened = undefined
      throw error
    })
    return await opened
  }
  return {
    introspect: async (log) => await (await driver()).introspect(log),
    describeQuery: async (sql: string) => await (await driver()).describeQuery(sql),
    async * stream (statement: SqlStatement, options: SqlStreamOptions) {
      yield * (await driver()).stream(statement, options)
    },
    async * streamText (statement: SqlStatement, options: SqlStreamOptions) {
      const opened = await driver()
      if (opened.streamText === undefined) throw new TypeError('this driver has no text export')
      yield * opened.streamText(statement, options)
    },
    ping: async () => { await (await driver()).ping() },
    authenticate: async () => {
      const opened = await driver()
      await (opened.authenticate?.() ?? opened.ping())
    },
    close: async () => {
      const pending = opened
      opened = undefined
      if (pending !== undefined) await (await pending.catch(() => undefined))?.close()
    }
  }
}
