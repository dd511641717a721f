import t from 'tap'
import { DataStream } from '../../../src/runtime/data-stream.js'
import type { EncodedRows } from '../../../src/core/text-rows.js'

// The writer asks for the next chunk before taking the current one (the source's round trip overlaps the
// writing) but never more than one chunk ahead, whatever the consumer does: memory stays flat.
t.test('the writer reads one batch ahead, never more, and the answer is whole and in order', async (t) => {
  const BATCHES = 50
  let requested = 0
  let inFlight = 0
  let maxInFlight = 0
  let formatted = 0 // chunks the writer has taken
  let maxAhead = 0 // chunks requested beyond the ones taken, seen at each request
  const chunks: AsyncIterator<EncodedRows> = {
    async next () {
      maxAhead = Math.max(maxAhead, requested + inFlight - formatted)
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 1))
      inFlight--
      const index = requested++
      if (index >= BATCHES) return { done: true, value: undefined }
      const bytes = `,[${index},${JSON.stringify('x'.repeat(2000))}]`
      return { done: false, value: { bytes, get rows () { formatted++; return 1 } } }
    }
  }
  let ended = 0
  const stream = new DataStream({
    header: ['N', 'PAD'],
    chunks,
    deadlineMs: Infinity,
    startedAt: performance.now(),
    abort: () => {},
    onEnd: () => { ended++ }
  })
  await stream.start()
  const answer: string[] = []
  for await (const chunk of stream) {
    answer.push(String(chunk))
    await new Promise((resolve) => setTimeout(resolve, 2)) // a slow consumer
  }
  const rows = JSON.parse(answer.join('')) as unknown[][]
  t.equal(rows.length, BATCHES + 1)
  t.same(rows.slice(1).map((row) => row[0]), Array.from({ length: BATCHES }, (_, i) => i), 'rows in order')
  t.equal(maxInFlight, 1, 'one request at a time')
  t.equal(maxAhead, 1, 'exactly one chunk requested ahead of the one being taken (0 would be no prefetch)')
  t.ok(requested <= BATCHES + 2, `no batch requested beyond the end (${requested} requests)`)
  t.equal(ended, 1)
})
