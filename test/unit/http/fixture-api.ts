import Fastify, { type FastifyInstance } from 'fastify'

/** The key the fixture API accepts as `Authorization: Bearer <key>`. */
export const API_KEY = 'fixture-key-5d1e9b2a'

/** One order of the fixture API, as it is written to JSON (`BIG` is written as an unquoted 64-bit integer). */
export function order (i: number): Record<string, unknown> {
  return {
    id: i,
    status: ['new', 'paid', 'shipped'][i % 3],
    amount: Number(((i * 7919) % 100000 / 100).toFixed(2)),
    created_at: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(),
    day: new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
    customer: `Customer ${i % 17}`,
    big: `__BIG__${9007199254740993n + BigInt(i)}`
  }
}

/** JSON text with the `big` placeholders written as JSON numbers, every digit kept. */
function json (value: unknown): string {
  return JSON.stringify(value).replace(/"__BIG__(-?\d+)"/g, '$1')
}

/** What the fixture API saw, for assertions. */
export interface FixtureStats {
  requests: number
  rejected: number
  inFlight: number
  maxInFlight: number
  queries: Array<Record<string, string>>
}

/**
 * A local REST API with one endpoint per pagination style over the same `total` orders, a 429/503 storm,
 * a 100k-row endpoint generated page by page, and Bearer authentication.
 */
export async function startFixtureApi (options: { total?: number, bigTotal?: number } = {}): Promise<{ url: string, stats: FixtureStats, app: FastifyInstance }> {
  const total = options.total ?? 95
  const bigTotal = options.bigTotal ?? 100_000
  const stats: FixtureStats = { requests: 0, rejected: 0, inFlight: 0, maxInFlight: 0, queries: [] }
  const app = Fastify({ logger: false })
  app.addHook('onRequest', async (request, reply) => {
    stats.requests++
    stats.queries.push({ path: request.url.split('?')[0]!, ...(request.query as Record<string, string>) })
    if (request.headers.authorization !== `Bearer ${API_KEY}`) return await reply.code(401).send({ error: 'unauthorized' })
    stats.inFlight++
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
  })
  app.addHook('onResponse', async (request) => {
    if (request.headers.authorization === `Bearer ${API_KEY}`) stats.inFlight--
  })
  const filtered = (query: Record<string, string>): Array<Record<string, unknown>> => Array.from({ length: total }, (_, i) => order(i + 1))
    .filter((row) => query.status === undefined || row.status === query.status)
    .filter((row) => query.created_from === undefined || String(row.created_at) >= query.created_from)
  const send = (reply: { type: (t: string) => { send: (b: string) => unknown } }, body: unknown): unknown => reply.type('application/json').send(json(body))

  app.get('/page', async (request, reply) => {
    const query = request.query as Record<string, string>
    const size = Number(query.per_page ?? 10)
    const page = Number(query.page ?? 1)
    return send(reply, { data: filtered(query).slice((page - 1) * size, page * size) })
  })
  app.get('/offset', async (request, reply) => {
    const query = request.query as Record<string, string>
    const offset = Number(query.offset ?? 0)
    return send(reply, { items: filtered(query).slice(offset, offset + Number(query.limit ?? 10)), total })
  })
  app.get('/cursor', async (request, reply) => {
    const query = request.query as Record<string, string>
    const start = query.cursor === undefined ? 0 : Number(Buffer.from(query.cursor, 'base64url').toString())
    const rows = filtered(query).slice(start, start + 20)
    const next = start + 20 < total ? Buffer.from(String(start + 20)).toString('base64url') : null
    return send(reply, { results: rows, meta: { next } })
  })
  app.get('/link', async (request, reply) => {
    const page = Number((request.query as Record<string, string>).page ?? 1)
    if (page * 25 < total) void reply.header('link', `</link?page=${page + 1}>; rel="next", </link?page=1>; rel="first"`)
    return send(reply, filtered({}).slice((page - 1) * 25, page * 25))
  })
  let storm = 0
  app.get('/storm', async (request, reply) => {
    storm++
    await new Promise((resolve) => setTimeout(resolve, 2))
    if (storm % 3 === 1) {
      stats.rejected++
      return await reply.code(429).header('retry-after', '0').send({ error: 'slow down' })
    }
    if (storm % 7 === 0) {
      stats.rejected++
      return await reply.code(503).send({ error: 'busy' })
    }
    const page = Number((request.query as Record<string, string>).page ?? 1)
    return send(reply, { data: filtered({}).slice((page - 1) * 10, page * 10) })
  })
  app.get('/always-busy', async (_request, reply) => await reply.code(503).send({ error: 'busy' }))
  app.get('/big', async (request, reply) => {
    const page = Number((request.query as Record<string, string>).page ?? 1)
    const rows: Array<Record<string, unknown>> = []
    for (let id = (page - 1) * 1000 + 1; id <= Math.min(page * 1000, bigTotal); id++) {
      rows.push({ id, label: `row ${id} of the big endpoint`, value: id * 1.5 })
    }
    return send(reply, { data: rows })
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, stats, app }
}
