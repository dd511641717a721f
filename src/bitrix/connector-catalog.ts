import type { Logger } from '../core/adapter.js'
import { ERR_TABLES_SYNC } from '../core/errors.js'
import type { AdapterRuntime } from '../runtime/runtime.js'
import { postForm } from './post-form.js'

/** One field of a connector table, as its table description answers it. */
export interface CatalogField {
  code: string
  name?: string
  type: string
}

/** The tables a connector serves, however they are read (over HTTP as the portal does, or in-process). */
export interface ConnectorCatalog {
  /** Every table: code and title (the table list answer). */
  tables: () => Promise<Array<{ code: string, title: string }>>
  /** The fields of one table (the table description answer). */
  describe: (table: string) => Promise<CatalogField[]>
}

/** Where and how `httpCatalog` reaches the connector. */
export interface HttpCatalogOptions {
  /** The connector's `urlTableList`. */
  urlTableList: string
  /** The connector's `urlTableDescription`. */
  urlTableDescription: string
  /** The source's settings, sent as `connection[code]=value`. */
  settings: Readonly<Record<string, string>>
  /** The fetch to use. Default the global one (undici). */
  fetch?: typeof fetch
  /** Milliseconds per call. Default 60000. */
  timeoutMs?: number
}

function form (values: Record<string, string>, settings: Readonly<Record<string, string>>): string {
  const body = new URLSearchParams(values)
  for (const [code, value] of Object.entries(settings)) body.append(`connection[${code}]`, value)
  return body.toString()
}

/**
 * Reads a connector's tables the way the portal does: form-encoded POSTs to its table list and table description
 * URLs with the source's settings. Any answer but a 200 with the documented JSON is `B24BI_ERR_TABLES_SYNC`.
 *
 * @example
 * const catalog = httpCatalog({ urlTableList, urlTableDescription, settings: { token: 'secret' } })
 * for (const { code } of await catalog.tables()) console.log(code, await catalog.describe(code))
 */
export function httpCatalog (options: HttpCatalogOptions): ConnectorCatalog {
  const call = async (url: string, body: string, what: string): Promise<unknown> => {
    let status: number
    let text: string
    try {
      const response = await postForm(url, body, { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 60_000 })
      status = response.status
      text = await response.text()
    } catch (error) {
      throw new ERR_TABLES_SYNC(`the connector did not answer the ${what} call (${new URL(url).origin})`, { cause: error })
    }
    let answer: unknown
    try {
      answer = JSON.parse(text)
    } catch (error) {
      throw new ERR_TABLES_SYNC(`the ${what} call answered HTTP ${status} without JSON`, { cause: error })
    }
    if (status !== 200) {
      const code = (answer as { error?: unknown } | null)?.error
      throw new ERR_TABLES_SYNC(`the ${what} call answered HTTP ${status}${typeof code === 'string' ? ` ${code.slice(0, 80)}` : ''}`)
    }
    if (!Array.isArray(answer)) throw new ERR_TABLES_SYNC(`the ${what} call did not answer a JSON array`)
    return answer
  }
  return {
    tables: async () => {
      const answer = await call(options.urlTableList, form({ searchString: '' }, options.settings), 'table list') as Array<Record<string, unknown>>
      return answer.map((item) => ({ code: String(item?.code ?? ''), title: String(item?.title ?? item?.code ?? '') })).filter((item) => item.code !== '')
    },
    describe: async (table) => {
      const answer = await call(options.urlTableDescription, form({ table }, options.settings), `table description of '${table.slice(0, 80)}'`) as Array<Record<string, unknown>>
      return answer.map((item) => ({
        code: String(item?.code ?? ''),
        type: String(item?.type ?? ''),
        ...(typeof item?.name === 'string' ? { name: item.name } : {})
      }))
    }
  }
}

/**
 * Reads the tables in-process from the served adapter's runtime (the same answers the portal gets), with
 * `settings` as the connection. Used by the install flow, which runs inside the connector.
 */
export function runtimeCatalog (runtime: AdapterRuntime, settings: Readonly<Record<string, string>>, log: Logger): ConnectorCatalog {
  const context = async (): ReturnType<AdapterRuntime['authenticate']> => await runtime.authenticate(settings, log)
  return {
    tables: async () => await runtime.tableList('', await context()),
    describe: async (table) => (await runtime.describe(table, await context())).map(({ code, type }) => ({ code, type }))
  }
}
