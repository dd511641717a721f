import t from 'tap'
import { DEMO_ROWS } from '../../../src/cli/demo-data.js'
import { createDemoAdapter } from '../../../src/cli/demo.js'
import { isJson, liveServer, postForm } from '../../helpers/live-server.js'

const TOKEN = 'deadline-token-77c2'
const connection = { token: TOKEN }
const largest = Object.entries(DEMO_ROWS).sort((a, b) => b[1] - a[1])[0]![0]

t.test(`with a 1 ms deadline the largest demo table (${largest}) is never answered as a complete array`, async (t) => {
  const server = await liveServer(await createDemoAdapter({ token: TOKEN }), { runtime: { deadlineSeconds: 0.001 } })
  t.teardown(() => server.app.close())
  const answer = await postForm(`${server.url}/api/data`, { connection, table: largest })
  const complete = answer.status === 200 && !answer.broken && isJson(answer.body) &&
    (JSON.parse(answer.body) as unknown[]).length === DEMO_ROWS[largest as keyof typeof DEMO_ROWS] + 1
  t.notOk(complete, `not a complete answer (status ${answer.status}, broken ${answer.broken}, ${answer.body.length} bytes)`)
  if (answer.status === 200) t.ok(answer.broken, 'a 200 answer breaks off')
  else t.match(answer.body, /B24BI_ERR_DEADLINE/, 'an answer before the first byte names the deadline')
  const line = server.logs.find((entry) => entry.includes('deadline'))
  t.ok(line !== undefined, 'one line in the log names the deadline')
  const logged = JSON.parse(line!) as { table: string, rowsPerSecond: number, rows: number, msg: string }
  t.equal(logged.table, largest, 'the log names the table')
  t.equal(typeof logged.rowsPerSecond, 'number', 'the log gives the rate')
  t.match(logged.msg, /rows\/s/, 'the message says the rate')
  t.match(logged.msg, /filter|curated|faster/, 'the message says what to do')
})

t.test('with the default deadline every demo table is answered whole', async (t) => {
  const server = await liveServer(await createDemoAdapter({ token: TOKEN }))
  t.teardown(() => server.app.close())
  for (const [table, rows] of Object.entries(DEMO_ROWS)) {
    const answer = await postForm(`${server.url}/api/data`, { connection, table })
    t.equal(answer.status, 200, `${table}: 200`)
    t.notOk(answer.broken, `${table}: not broken`)
    t.equal((JSON.parse(answer.body) as unknown[]).length, rows + 1, `${table}: header and ${rows} rows`)
  }
  t.notOk(server.logs.some((line) => line.includes('deadline')), 'no deadline line')
})
