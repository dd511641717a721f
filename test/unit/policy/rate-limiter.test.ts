import t from 'tap'
import { RateLimiter } from '../../../src/policy/rate-limiter.js'
import { MemoryWindowStore } from '../../../src/policy/window-store.js'

function clock (): { now: () => number, at: (ms: number) => void } {
  let time = 0
  return { now: () => time, at: (ms) => { time = ms } }
}

t.test('a request limit counts each key in its own window and starts over when the window ends', async (t) => {
  const time = clock()
  const limiter = new RateLimiter({ name: 'pages', limit: { max: 2, windowSeconds: 60 }, store: new MemoryWindowStore({ now: time.now }) })
  const waits = [await limiter.consume('ip:a'), await limiter.consume('ip:a'), await limiter.consume('ip:a'), await limiter.consume('ip:b')]
  t.same(waits, [0, 0, 60, 0], 'the third from one address waits; another address has its own allowance')
  time.at(30_000)
  t.equal(await limiter.consume('ip:a'), 30, 'Retry-After: the seconds left of its window')
  time.at(60_000)
  t.equal(await limiter.consume('ip:a'), 0, 'a new window')
})

t.test('a failure limit asks before the attempt and counts only what failed', async (t) => {
  const time = clock()
  const limiter = new RateLimiter({ name: 'auth-failures', limit: { max: 2, windowSeconds: 10 }, store: new MemoryWindowStore({ now: time.now }) })
  t.equal(await limiter.retryAfter(['ip:a', 'host:h']), 0)
  await limiter.record(['ip:a', 'host:h'])
  await limiter.record(['ip:b', 'host:h'])
  t.equal(await limiter.retryAfter(['ip:a']), 0, 'one failure from this address')
  t.equal(await limiter.retryAfter(['ip:c', 'host:h']), 10, 'two for the host, whichever address asks')
  time.at(10_000)
  t.equal(await limiter.retryAfter(['host:h']), 0, 'the window ended')
})

t.test('limiters sharing a store count apart', async (t) => {
  const store = new MemoryWindowStore()
  const install = new RateLimiter({ name: 'install', limit: { max: 1, windowSeconds: 60 }, store })
  const pages = new RateLimiter({ name: 'pages', limit: { max: 1, windowSeconds: 60 }, store })
  t.equal(await install.consume('ip:a'), 0)
  t.equal(await pages.consume('ip:a'), 0, 'the same key under another name')
  t.ok(await install.consume('ip:a') > 0)
})
