import t from 'tap'
import { request } from 'undici'
import { SLOW, spawnServer } from './child-process.js'

const IN_FLIGHT = 20

t.test(`SIGTERM while ${IN_FLIGHT} urlData answers stream: all ${IN_FLIGHT} complete, then the process exits`, async (t) => {
  const server = await spawnServer(['slow'])
  t.teardown(() => { server.child.kill('SIGKILL') })
  const body = JSON.stringify({ connection: { token: 'x' }, table: 'slow' })
  const answers = await Promise.all(Array.from({ length: IN_FLIGHT }, async () => await request(`${server.url}/api/data`, {
    method: 'POST', body, headers: { 'content-type': 'application/json' }
  })))
  t.ok(answers.every((answer) => answer.statusCode === 200), `all ${IN_FLIGHT} answers started (200)`)

  server.child.kill('SIGTERM')
  const bodies = await Promise.allSettled(answers.map(async (answer) => await answer.body.text()))
  const complete = bodies.filter((result) => result.status === 'fulfilled' &&
    (JSON.parse(result.value) as unknown[]).length === SLOW.batches * SLOW.rowsPerBatch + 1)
  t.equal(complete.length, IN_FLIGHT, `all ${IN_FLIGHT} answers are complete`)
  t.equal(await server.exited, 0, 'the process exits cleanly after them')
})
