import { randomBytes } from 'node:crypto'
import { createClient } from '@clickhouse/client'
import t from 'tap'
import { postForm } from '../../helpers/live-server.js'
import { CLICKHOUSE } from '../../helpers/services.js'
import { serve } from './served.js'
import { TcpProxy } from './tcp-proxy.js'

// Finding 10, ClickHouse: a read that stopped at its limit was treated as cancelled, as MySQL's was: its HTTP
// response aborted (the keep-alive socket destroyed) and a KILL QUERY sent. Against `b24bi serve` with ClickHouse in
// server mode through a counting proxy, so every TCP connection and every KILL the connector makes is seen.
const TOKEN = 'clickhouse-limit-token-8d2b'
const ROWS = 1500
const EVENTS = 2_000_000

t.test('ClickHouse: reads that stop at their limit keep their keep-alive connection (no abort, no KILL)', async (t) => {
  const database = `b24bi_limit_${randomBytes(4).toString('hex')}`
  const admin = createClient({ url: CLICKHOUSE.url })
  t.teardown(async () => {
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` })
    await admin.close()
  })
  await admin.command({ query: `CREATE DATABASE ${database}` })
  await admin.command({ query: `CREATE TABLE ${database}.items (id Int32, title String, amount Decimal(18, 2)) ENGINE = Memory` })
  await admin.command({ query: `INSERT INTO ${database}.items SELECT toInt32(number + 1), concat('item ', toString(number + 1), ' ', toString(range(40))), toDecimal64(number / 100, 2) FROM system.numbers LIMIT ${ROWS}` })
  await admin.command({ query: `CREATE TABLE ${database}.events (id Int32, amount Decimal(18, 2)) ENGINE = Memory` })
  await admin.command({ query: `INSERT INTO ${database}.events SELECT toInt32(number + 1), toDecimal64(number / 100, 2) FROM system.numbers LIMIT ${EVENTS}` })

  const target = new URL(CLICKHOUSE.url)
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port) })
  await proxy.start()
  t.teardown(async () => await proxy.stop())
  const server = await serve(t, {
    B24BI_ADAPTER: 'clickhouse',
    B24BI_ADAPTER_OPTIONS: JSON.stringify({ url: `http://default@127.0.0.1:${proxy.port}/${database}`, token: TOKEN })
  })
  const read = async (body: Record<string, unknown>): Promise<number> => {
    const answer = await postForm(`${server.url}/api/data`, { connection: { token: TOKEN }, table: 'items', select: ['ID'], ...body })
    t.equal(answer.status, 200, answer.body.slice(0, 100))
    return (JSON.parse(answer.body) as unknown[]).length - 1
  }
  const kills = (): number => proxy.sent.split('KILL QUERY').length - 1
  t.equal(await read({ limit: 1 }), 1)
  const connections = proxy.connections
  t.equal(kills(), 0, 'the first limited read sent no KILL')
  // LIMIT is pushed: ClickHouse ends the response itself and the read runs to its end.
  const limits = [1, 5, 1000, 1, 5, 1000, 1, 5, 1000, 1]
  const counts: number[] = []
  for (const limit of limits) counts.push(await read({ limit }))
  // A filter on a Decimal column is the runtime's (ClickHouse 18 compares decimals as doubles): LIMIT is not pushed,
  // the rows come as JSONEachRow, ClickHouse sends all 1,500 (about 200 bytes each) and the runtime stops after the
  // first batch of 1,000; the 500 left are drained. These were the reads that sent a KILL each and, with rows unread, lost their connection.
  const filtered: number[] = []
  for (const limit of [1, 5, 1, 5, 1]) filtered.push(await read({ limit, select: ['ID', 'TITLE'], filter: { '>=AMOUNT': '0' } }))
  t.comment(`16 limited reads: ${proxy.connections} connection(s) to ClickHouse (${connections} after the first), ${kills()} KILL QUERY sent`)
  t.same(counts, limits)
  t.same(filtered, [1, 5, 1, 5, 1])
  t.equal(kills(), 0, 'none of the next 15 sent a KILL')
  t.equal(proxy.connections, connections, 'the 15 reads after the first opened no connection: the keep-alive one served them')

  // The same on a 2M-row table: the runtime stops after its first batch with most rows still coming. That query is
  // still stopped on the server (a KILL) and its response cut, which costs its connection.
  const before = proxy.connections
  const stopped: number[] = []
  for (let i = 0; i < 3; i++) stopped.push(await read({ table: 'events', limit: 1, filter: { '>=AMOUNT': '0' } }))
  t.comment(`then 3 reads stopped with most of their rows unread: ${proxy.connections - before} new connection(s), ${kills()} KILL QUERY sent`)
  t.same(stopped, [1, 1, 1])
  t.equal(kills(), 3, 'each read stopped with more than a batch left is killed on the server')
  t.equal(await read({}), ROWS, 'a full read after them')
})
