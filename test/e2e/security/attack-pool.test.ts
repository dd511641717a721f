import { connect, type Socket } from 'node:net'
import t from 'tap'
import { eventually } from '../../helpers/eventually.js'
import { ensurePgTables, pgUrl, testPool } from '../../helpers/pg-fixture.js'
import { postForm } from '../../helpers/live-server.js'
import { serve } from './served.js'

// Finding 3: in SQL server mode, 4 urlData answers whose client never reads held the whole pool for up to 240 s
// (every other caller 502 after 60 s, /ready 503). Against `b24bi serve` with PostgreSQL in server mode, the
// review's server D, with the stall cut at 2 s so the test is short.
const TOKEN = 'pool-attack-token-2c4d'
const TABLE = 'b24bi_stream_large'

/** Sends urlData on a raw socket; resolves with the status line's code and head; never reads past the head. */
async function neverRead (port: number, sockets: Set<Socket>): Promise<{ status: number, head: string }> {
  return await new Promise((resolve, reject) => {
    const payload = JSON.stringify({ connection: { token: TOKEN }, table: TABLE })
    const socket = connect(port, '127.0.0.1')
    sockets.add(socket)
    let received = ''
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1')
      const end = received.indexOf('\r\n\r\n')
      if (end < 0) return
      socket.off('data', onData)
      socket.pause() // never read: backpressure holds the answer (and its cursor) open on the server
      resolve({ status: Number(received.split(' ')[1]), head: received.slice(0, end) })
    }
    socket.on('data', onData)
    socket.on('error', reject)
    socket.write(`POST /api/data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`)
  })
}

t.test('PostgreSQL server mode: 4 never-reading clients hold 2 answers at most, /ready and urlCheck stay up, the stall frees the slots', async (t) => {
  const pool = testPool()
  await ensurePgTables(pool)
  await pool.end()
  const server = await serve(t, {
    B24BI_ADAPTER: 'postgres',
    B24BI_ADAPTER_OPTIONS: JSON.stringify({ url: pgUrl(), token: TOKEN, exposure: { tables: { allow: [TABLE] } } }),
    B24BI_STALL_S: '2'
  })
  const sockets = new Set<Socket>()
  t.teardown(() => { for (const socket of sockets) socket.destroy() })
  const held = await Promise.all(Array.from({ length: 4 }, async () => await neverRead(server.port, sockets)))
  const statuses = held.map(({ status }) => status).sort()
  t.same(statuses, [200, 200, 429, 429], 'two answers at once per credential set; the others a coded 429')
  for (const { head } of held.filter(({ status }) => status === 429)) t.match(head, /retry-after: \d+/i, 'with Retry-After')

  let started = performance.now()
  const ready = await fetch(`${server.url}/ready`)
  t.comment(`/ready answered ${ready.status} in ${(performance.now() - started).toFixed(0)} ms while the answers were held`)
  t.equal(ready.status, 200, '/ready stays 200 (the review saw 503)')
  const check = await postForm(`${server.url}/api/check`, { connection: { token: TOKEN } })
  t.equal(check.status, 200, 'urlCheck answers meanwhile')

  // The stall cut ends the held answers and cancels their queries; a light read then gets the slot back.
  started = performance.now()
  let light = await postForm(`${server.url}/api/data`, { connection: { token: TOKEN }, table: TABLE, select: ['ID'], limit: 5 })
  const seen = [light.status]
  await eventually(async () => {
    if (light.status !== 429) return true
    light = await postForm(`${server.url}/api/data`, { connection: { token: TOKEN }, table: TABLE, select: ['ID'], limit: 5 })
    seen.push(light.status)
    return light.status !== 429
  }, 60_000)
  t.comment(`a light read answered ${light.status} after ${(performance.now() - started).toFixed(0)} ms (${seen.length} tries: ${[...new Set(seen)].join(', ')})`)
  t.equal(light.status, 200, 'the stalled answers were cut and their slots freed')
  t.equal((JSON.parse(light.body) as unknown[]).length, 6, '5 rows and the header')
  t.notOk(seen.some((status) => status >= 500), 'never a 5xx on the way (the review saw 502 after a 60 s pool wait)')
  t.match(server.logs(), /B24BI_ERR_CLIENT_STALLED/, 'the log names the stall')
})
