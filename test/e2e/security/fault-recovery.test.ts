import t from 'tap'
import { request } from 'undici'
import { POSTGRES } from '../../helpers/services.js'
import { ensurePgTables, LARGE_ROWS, PG_ADAPTER, PG_TOKEN, testPool } from '../../helpers/pg-fixture.js'
import { isJson, liveServer, postForm } from '../../helpers/live-server.js'
import { TcpProxy } from './tcp-proxy.js'

const connection = { token: PG_TOKEN }
const pool = testPool()
t.teardown(() => pool.end())
await ensurePgTables(pool)

// Regression: the b24bi/postgres driver once held a checked-out client with no 'error' listener, so a connection
// dropped mid-read crashed the process (uncaughtException). It must survive it.
const { name, create } = PG_ADAPTER
t.test(`${name}: the database going away mid-stream breaks the answer; the next request after it is back succeeds`, async (t) => {
  const proxy = new TcpProxy({ host: POSTGRES.host, port: Number(POSTGRES.port) })
  const port = await proxy.start()
  t.teardown(() => proxy.stop())
  const throughProxy = new URL(POSTGRES.url)
  throughProxy.host = `127.0.0.1:${port}`
  const server = await liveServer(create(['b24bi_stream_large'], throughProxy.href))
  t.teardown(() => server.app.close())

  const answer = await request(`${server.url}/api/data`, {
    method: 'POST',
    body: JSON.stringify({ connection, table: 'b24bi_stream_large' }),
    headers: { 'content-type': 'application/json' }
  })
  t.equal(answer.statusCode, 200)
  const chunks: Buffer[] = []
  let broken = false
  let stopped = false
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      if (!stopped) {
        stopped = true
        await proxy.stop() // the database goes away while the answer is streaming
      }
    }
  } catch {
    broken = true
  }
  const body = Buffer.concat(chunks).toString('utf8')
  t.ok(body.startsWith('[["ID",'), 'rows were streaming when the database went away')
  t.ok(broken, 'the client sees a broken transfer')
  t.notOk(isJson(body), 'never a valid truncated array')

  const whileDown = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large', limit: '3' })
  t.ok(whileDown.status >= 500 && whileDown.status < 600, `while the database is down: a coded ${whileDown.status}`)
  t.match(JSON.parse(whileDown.body), { error: /^B24BI_ERR_/ }, 'with a code')

  await proxy.start()
  const after = await postForm(`${server.url}/api/data`, { connection, table: 'b24bi_stream_large', select: ['ID'] })
  t.equal(after.status, 200, 'the next request succeeds without restarting the server')
  t.notOk(after.broken)
  t.equal((JSON.parse(after.body) as unknown[]).length, LARGE_ROWS + 1, 'and streams the whole table')
  t.ok(server.logs.some((line) => line.includes('failed after') && line.includes('b24bi_stream_large')), 'the failure is logged with the table')
  t.notOk(server.logs.join('\n').includes(PG_TOKEN), 'the token is in no log line')
})
