import { Readable } from 'node:stream'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { installPlugin } from '../../../plugins/install.js'
import { MemoryTokenStore } from '../../../src/bitrix/token-store/memory-token-store.js'
import { demoServer } from '../../helpers/demo-server.js'

const LIMIT = 1024 // bytes
const FORM = 'application/x-www-form-urlencoded'
const JSON_TYPE = 'application/json'

/** A 2 KiB body of the given type: twice the server's limit. */
function oversized (type: string): string {
  const filler = 'x'.repeat(2 * LIMIT)
  return type === FORM ? `connection[token]=${filler}` : JSON.stringify({ connection: { token: filler } })
}

async function server (): Promise<FastifyInstance> {
  const app = await demoServer({ bodyLimit: LIMIT, docs: true })
  await app.register(installPlugin, {
    tokens: new MemoryTokenStore(),
    application: { clientId: 'local.1', clientSecret: 'secret' },
    connector: { title: 'Warehouse', publicUrl: 'https://bi.example.com/' }
  })
  return app
}

const ROUTES: Array<[family: string, method: 'GET' | 'POST', url: string]> = [
  ['connector', 'POST', '/api/check'],
  ['connector', 'POST', '/api/table_list'],
  ['connector', 'POST', '/api/table_description'],
  ['connector', 'POST', '/api/data'],
  ['install', 'POST', '/bitrix24/install'],
  ['install', 'POST', '/bitrix24/events'],
  ['probe', 'GET', '/health'],
  ['probe', 'GET', '/ready'],
  ['probe', 'POST', '/health'],
  ['metrics', 'GET', '/metrics'],
  ['docs', 'GET', '/docs/json'],
  ['unknown path', 'POST', '/nowhere']
]

t.test('a 2 KiB body to any route with a 1 KiB limit is a coded 413', async (t) => {
  const app = await server()
  t.teardown(() => app.close())
  for (const [family, method, url] of ROUTES) {
    for (const type of [FORM, JSON_TYPE]) {
      const answer = await app.inject({ method, url, payload: oversized(type), headers: { 'content-type': type } })
      t.equal(answer.statusCode, 413, `${family} ${method} ${url} ${type}: 413`)
      t.match(answer.json(), { error: 'B24BI_ERR_REQUEST_TOO_LARGE', message: `The request body is larger than ${LIMIT} bytes` },
        `${family} ${method} ${url} ${type}: coded`)
    }
  }
})

t.test('a 2 KiB body sent without a length (chunked) is a coded 413 on the connector and install routes (was 500 on install)', async (t) => {
  const app = await server()
  t.teardown(() => app.close())
  for (const [family, method, url] of ROUTES.filter(([family]) => family === 'connector' || family === 'install')) {
    for (const type of [FORM, JSON_TYPE]) {
      const answer = await app.inject({ method, url, payload: Readable.from([oversized(type)]), headers: { 'content-type': type } })
      t.equal(answer.statusCode, 413, `${family} ${method} ${url} ${type}: 413`)
      t.match(answer.json(), { error: 'B24BI_ERR_REQUEST_TOO_LARGE' }, `${family} ${method} ${url} ${type}: coded`)
    }
  }
})
