import t from 'tap'
import { Adapter, type ReadPlan, type Row } from '../../../src/core/adapter.js'
import { DataStream, type DataStreamSummary } from '../../../src/runtime/data-stream.js'
import type { EncodedRows } from '../../../src/core/text-rows.js'
import type { FieldInfo } from '../../../src/core/field-types.js'
import { isJson, liveServer, postForm } from '../../helpers/live-server.js'

// Regression: a deadline passing while the first batch was awaited destroyed the stream with an error before
// anything listened to it: an uncaughtException that took the whole server down.

function slowBatches (firstAfterMs: number): AsyncIterator<EncodedRows> & { returned: boolean } {
  let sent = false
  const iterator = {
    returned: false,
    async next (): Promise<IteratorResult<EncodedRows>> {
      if (sent) return { done: true, value: undefined }
      sent = true
      await new Promise((resolve) => { if (Number.isFinite(firstAfterMs)) setTimeout(resolve, firstAfterMs) })
      return { done: false, value: { bytes: ',[1]', rows: 1 } }
    },
    async return (): Promise<IteratorResult<EncodedRows>> {
      iterator.returned = true
      return { done: true, value: undefined }
    }
  }
  return iterator
}

t.test('the deadline before the first batch rejects start() with a coded error, never an unhandled stream error', async (t) => {
  // The deadline timer is unref'd (it must not hold a closing server open); with a source that never answers nothing
  // else keeps this process alive, and tap would end the test before the deadline fires.
  const alive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(alive))
  for (const [name, firstAfterMs] of [['a slow source', 200], ['a source that ignores abort and never answers', Infinity]] as const) {
    const summaries: DataStreamSummary[] = []
    const batches = slowBatches(firstAfterMs)
    let aborted = false
    const stream = new DataStream({
      header: ['ID'],
      chunks: batches,
      deadlineMs: 20,
      startedAt: performance.now(),
      abort: () => { aborted = true },
      onEnd: (summary) => summaries.push(summary)
    })
    await t.rejects(stream.start(), { code: 'B24BI_ERR_DEADLINE' }, `${name}: start() rejects with the deadline`)
    await new Promise((resolve) => setImmediate(resolve))
    t.ok(aborted, `${name}: the source was aborted`)
    t.ok(batches.returned, `${name}: the source was closed`)
    t.equal(summaries.length, 1, `${name}: one summary`)
    t.equal(summaries[0]?.deadline, true, `${name}: marked as a deadline stop`)
  }
})

class SlowFirstRow extends Adapter {
  async listTables (): Promise<Array<{ code: string }>> {
    return [{ code: 'slow' }]
  }

  async describeTable (): Promise<FieldInfo[]> {
    return [{ code: 'ID', type: 'int' }]
  }

  async * readRows (plan: ReadPlan): AsyncGenerator<Row[]> {
    await new Promise((resolve) => setTimeout(resolve, 300))
    if (!plan.signal.aborted) yield [[1], [2]]
  }
}

t.test('over HTTP the deadline before the first row is a coded 504 naming the table, and the server lives on', async (t) => {
  const server = await liveServer(new SlowFirstRow(), { runtime: { deadlineSeconds: 0.05 } })
  t.teardown(() => server.app.close())
  const answer = await postForm(`${server.url}/api/data`, { connection: { any: '1' }, table: 'slow' })
  t.equal(answer.status, 504)
  t.ok(isJson(answer.body))
  t.match(JSON.parse(answer.body), { error: 'B24BI_ERR_DEADLINE' })
  t.ok(server.logs.some((line) => line.includes('deadline') && line.includes('"table":"slow"')), 'the log names the table')
  const again = await postForm(`${server.url}/api/table_list`, { connection: { any: '1' } })
  t.equal(again.status, 200, 'the server still answers')
})
