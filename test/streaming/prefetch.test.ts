import t from 'tap'
import { DataStream } from '../../src/data-stream.js'

// The writer asks for the next batch before formatting the current one (the source's round trip overlaps the
// formatting) but never more than one batch ahead, whatever the consumer does: memory stays flat.
t.test('the writer reads one batch ahead, never more, and the answer is whole and in order', async (t) => {
  const BATCHES = 50
  let requested = 0
  let inFlight = 0
  let maxInFlight = 0
  let formatted = 0 // batches whose first value the writer has formatted
  let maxAhead = 0 // batches requested beyond the ones formatted, seen at each request
  const batches: AsyncIterator<unknown[][]> = {
    async next () {
      maxAhead = Math.max(maxAhead, requested + inFlight - formatted)
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 1))
      inFlight--
      const index = requested++
      return index < BATCHES ? { done: false, value: [[index, 'x'.repeat(2000)]] } : { done: true, value: undefined }
    }
  }
  let ended = 0
  const stream = new DataStream({
    header: ['N', 'PAD'],
    formatters: [(value) => { formatted++; return String(value) }, (value) => JSON.stringify(value)],
    batches,
    deadlineMs: Infinity,
    startedAt: performance.now(),
    abort: () => {},
    onEnd: () => { ended++ }
  })
  await stream.start()
  const chunks: string[] = []
  for await (const chunk of stream) {
    chunks.push(String(chunk))
    await new Promise((resolve) => setTimeout(resolve, 2)) // a slow consumer
  }
  const rows = JSON.parse(chunks.join('')) as unknown[][]
  t.equal(rows.length, BATCHES + 1)
  t.same(rows.slice(1).map((row) => row[0]), Array.from({ length: BATCHES }, (_, i) => i), 'rows in order')
  t.equal(maxInFlight, 1, 'one request at a time')
  t.equal(maxAhead, 1, 'exactly one batch requested ahead of the one being formatted (0 would be no prefetch)')
  t.ok(requested <= BATCHES + 2, `no batch requested beyond the end (${requested} requests)`)
  t.equal(ended, 1)
})
