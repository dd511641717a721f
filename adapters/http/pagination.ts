import { ERR_SOURCE_FAILED } from '../../src/core/errors.js'
import { HTTP_DEFAULTS, type Pagination } from './http-options.js'
import { valueAt } from './json-values.js'

/** One fetched page: its rows, the whole JSON answer and the response headers. */
export interface Page {
  rows: unknown[]
  json: unknown
  headers: Record<string, string | string[] | undefined>
}

/** Fetches one page URL. */
export type FetchPage = (url: URL) => Promise<Page>

/** The `rel="next"` target of a Link header, resolved against the page's URL. */
export function nextLink (header: string | string[] | undefined, base: URL): URL | undefined {
  const value = Array.isArray(header) ? header.join(',') : header
  if (value === undefined) return undefined
  for (const part of value.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part)
    if (match !== null && /;\s*rel="?(?:[^";]*\s)?next(?:\s[^";]*)?"?/i.test(match[2]!)) return new URL(match[1]!, base)
  }
  return undefined
}

function withParams (url: URL, params: Record<string, string | number>): URL {
  const next = new URL(url)
  for (const [key, value] of Object.entries(params)) next.searchParams.set(key, String(value))
  return next
}

/**
 * Yields the rows of each page in turn, fetching the next page only when the previous one was consumed
 * (the runtime's backpressure reaches the API). Stops at the last page, or once `limit` rows were yielded.
 */
export async function * readPages (pagination: Pagination, first: URL, fetchPage: FetchPage, limit: number): AsyncGenerator<unknown[]> {
  let yielded = 0
  let url: URL | undefined = first
  let index = 0
  const size = 'size' in pagination ? pagination.size ?? HTTP_DEFAULTS.pageSize : HTTP_DEFAULTS.pageSize
  while (url !== undefined && yielded < limit) {
    const pageUrl: URL = pageAddress(pagination, url, index, size)
    const page = await fetchPage(pageUrl)
    const rows = page.rows.length > limit - yielded ? page.rows.slice(0, limit - yielded) : page.rows
    if (rows.length > 0) yield rows
    yielded += rows.length
    index++
    url = nextPage(pagination, pageUrl, page, size)
  }
}

function pageAddress (pagination: Pagination, url: URL, index: number, size: number): URL {
  switch (pagination.style) {
    case 'page': {
      const params: Record<string, number> = { [pagination.param ?? 'page']: (pagination.first ?? 1) + index }
      if (pagination.sizeParam !== undefined) params[pagination.sizeParam] = size
      return withParams(url, params)
    }
    case 'offset':
      return withParams(url, { [pagination.offsetParam ?? 'offset']: index * size, [pagination.limitParam ?? 'limit']: size })
    default:
      return url
  }
}

function nextPage (pagination: Pagination, url: URL, page: Page, size: number): URL | undefined {
  switch (pagination.style) {
    case 'none': return undefined
    case 'page':
    case 'offset': return page.rows.length < size || page.rows.length === 0 ? undefined : url
    case 'cursor': {
      const token = valueAt(page.json, pagination.next)
      if (token === undefined || token === null || token === '') return undefined
      return withParams(url, { [pagination.param ?? 'cursor']: String(token) })
    }
    case 'link': return sameOrigin(nextLink(page.headers.link, url), url)
  }
}

/**
 * A `next` link is followed only on the API's own origin: every page request carries the configured headers (the
 * portal user's API key), and another host could also be one inside the network. Another origin fails the read
 * rather than ending it, so an answer is never cut short quietly.
 */
function sameOrigin (next: URL | undefined, page: URL): URL | undefined {
  if (next === undefined || next.origin === page.origin) return next
  throw new ERR_SOURCE_FAILED({ cause: new Error(`the next-page link of ${page.origin} points to another origin (${next.origin}); not followed`) })
}
