import t from 'tap'
import { retryDelayMs } from '../../../src/util/retry-delay.js'

const policy = { baseMs: 500, maxMs: 10_000 }

t.test('one back-off: exponential from baseMs, capped at maxMs, half the step fixed and half random', async (t) => {
  for (const [attempt, step] of [[0, 500], [1, 1000], [2, 2000], [4, 8000], [5, 10_000], [30, 10_000]] as const) {
    t.equal(retryDelayMs(attempt, policy, undefined, () => 0), step / 2, `attempt ${attempt}: at least half of ${step}`)
    t.equal(retryDelayMs(attempt, policy, undefined, () => 1), step, `attempt ${attempt}: at most ${step}`)
  }
})

t.test('regression: the HTTP adapter used full jitter, so a retry could wait 0 ms; the least wait now grows', async (t) => {
  const least = [0, 1, 2, 3].map((attempt) => retryDelayMs(attempt, { baseMs: 250, maxMs: 30_000 }, undefined, () => 0))
  t.same(least, [125, 250, 500, 1000])
})

t.test('a Retry-After the server sent wins, capped at maxMs', async (t) => {
  t.equal(retryDelayMs(0, policy, 3000), 3000)
  t.equal(retryDelayMs(3, policy, 0), 0)
  t.equal(retryDelayMs(0, policy, 60_000), 10_000)
})
