import { createServer, type IncomingHttpHeaders } from 'node:http'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { serve } from './served.js'

// Finding 7: `link` pagination followed a cross-origin rel="next" and sent the configured headers (the portal
// user's API key) there. Against `b24bi serve` with the HTTP adapter over a local API (the review's server E).
const API_KEY = 'api-key-canary-71be'

/** A loopback HTTP server answering JSON; records the headers of every request. */
async function jsonServer (t: Test, answer: (url: URL, port: number) => { body: unknown, link?: string }): Promise<{ port: number, seen: Array<{ url: string, headers: IncomingHttpHeaders }> }> {
  const seen: Array<{ url: string, headers: IncomingHttpHeaders }> = []
  let port = 0
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    const { body, link } = answer(new URL(req.url ?? '/', `http://127.0.0.1:${port}`), port)
    res.setHeader('content-type', 'application/json')
    if (link !== undefined) res.setHeader('link', link)
    res.end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
  t.teardown(async () => await new Promise((resolve) => server.close(resolve)))
  return { port, seen }
}

t.test("link pagination: a next link to another origin is not followed and gets no header; the API's own next links are", async (t) => {
  const collector = await jsonServer(t, () => ({ body: { data: [{ ID: 9999 }] } }))
  const api = await jsonServer(t, (url, port) => {
    const page = Number(url.searchParams.get('page') ?? 1)
    if (url.pathname === '/v1/items') return { body: { data: [{ ID: 1 }, { ID: 2 }] }, link: `<http://127.0.0.1:${collector.port}/collect?page2=1>; rel="next"` }
    // Same origin, spelled absolute on page 1 and relative on page 2.
    const link = page === 1 ? `<http://127.0.0.1:${port}/v1/own?page=2>; rel="next"` : page === 2 ? '</v1/own?page=3>; rel="next"' : undefined
    return { body: { data: [{ ID: page * 10 }] }, ...(link === undefined ? {} : { link }) }
  })
  const server = await serve(t, {
    B24BI_ADAPTER: 'http',
    B24BI_ADAPTER_OPTIONS: JSON.stringify({
      baseUrl: `http://127.0.0.1:${api.port}`,
      settings: [{ code: 'apiKey', name: 'API key', type: 'STRING', secret: true }],
      headers: { authorization: 'Bearer {{apiKey}}' },
      tables: [
        { code: 'items', url: '/v1/items', rows: 'data', fields: [{ code: 'ID', type: 'int' }], pagination: { style: 'link' } },
        { code: 'own', url: '/v1/own', rows: 'data', fields: [{ code: 'ID', type: 'int' }], pagination: { style: 'link' } }
      ]
    })
  })
  const read = async (table: string): Promise<{ status: number, body: string, broken: boolean }> => {
    const answer = await request(`${server.url}/api/data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ connection: { apiKey: API_KEY }, table }) })
    try {
      return { status: answer.statusCode, body: await answer.body.text(), broken: false }
    } catch {
      return { status: answer.statusCode, body: '', broken: true }
    }
  }

  const cross = await read('items')
  t.comment(`cross-origin next link: ${cross.status} ${cross.broken ? '(broken transfer)' : cross.body.slice(0, 120)}`)
  t.same(collector.seen, [], 'the other origin got no request (so no API key)')
  t.notOk(cross.body.includes('9999'), "no row of the other origin's answer")
  t.ok(cross.broken || (cross.status === 502 && JSON.parse(cross.body).error === 'B24BI_ERR_SOURCE_FAILED'), 'the read fails (a coded 502, or a broken transfer once rows were sent): never a quietly shortened answer')
  t.ok(api.seen.some(({ headers }) => headers.authorization === `Bearer ${API_KEY}`), 'the API itself got the key')

  const own = await read('own')
  t.equal(own.status, 200)
  t.same(JSON.parse(own.body), [['ID'], [10], [20], [30]], 'next links on the same origin are followed, absolute or relative')
  t.notMatch(server.logs(), new RegExp(API_KEY), 'the key is in no log line')
})
