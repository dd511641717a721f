import t from 'tap'
import { ActivityLog } from '../../../src/bitrix/app-page/activity.js'
import { PageSessions } from '../../../src/bitrix/app-page/session.js'
import { ERR_CLIENT_GONE, ERR_SOURCE_FAILED } from '../../../src/core/errors.js'

t.test('page sessions: signed, expiring, bound to the secret', async (t) => {
  const sessions = new PageSessions('client-secret')
  const token = sessions.issue({ memberId: 'm1', admin: true, expiresAt: 2_000 })
  t.same(sessions.verify(token, 1_000), { memberId: 'm1', admin: true, expiresAt: 2_000 })
  t.same(new PageSessions('client-secret').verify(token, 1_000), { memberId: 'm1', admin: true, expiresAt: 2_000 }, 'another replica with the same secret accepts it')
  t.equal(sessions.verify(token, 2_000), undefined, 'expired')
  t.equal(new PageSessions('rotated').verify(token, 1_000), undefined, 'another secret')
  const [version, payload, signature] = token.split('.')
  const raised = Buffer.from(JSON.stringify({ m: 'm1', a: true, e: 9_999_999 })).toString('base64url')
  t.equal(sessions.verify(`${version}.${raised}.${signature}`, 1_000), undefined, 'a changed payload')
  t.equal(sessions.verify(`v2.${payload}.${signature}`, 1_000), undefined, 'another version')
  t.equal(sessions.verify(`${token}.x`, 1_000), undefined)
  t.equal(sessions.verify('', 1_000), undefined)
})

t.test('activity: only failures are kept, newest first, at most the capacity; every answer is counted', async (t) => {
  const log = new ActivityLog(3)
  log.add({ table: 'ok', rows: 10, bytes: 100, elapsedMs: 10, deadline: false }, 1)
  t.same(log.list(), [])
  log.add({ table: 'a', rows: 500, bytes: 1, elapsedMs: 2000, deadline: true, error: undefined }, 2)
  log.add({ table: 'b', rows: 5, bytes: 1, elapsedMs: 0, deadline: false, error: new ERR_CLIENT_GONE() }, 3)
  log.add({ table: 'c', rows: 0, bytes: 1, elapsedMs: 5, deadline: false, error: new ERR_SOURCE_FAILED() }, 4)
  t.match(log.list(), [
    { table: 'c', kind: 'error', code: 'B24BI_ERR_SOURCE_FAILED', hint: /The data source failed to answer\. / },
    { table: 'b', kind: 'disconnect', code: 'B24BI_ERR_CLIENT_GONE', rowsPerSecond: 5 },
    { table: 'a', kind: 'deadline', code: 'B24BI_ERR_DEADLINE', rows: 500, rowsPerSecond: 250, at: 2 }
  ])
  log.add({ table: 'd', rows: 1, bytes: 1, elapsedMs: 1000, deadline: true }, 5)
  t.same(log.list().map((entry) => entry.table), ['d', 'c', 'b'], 'the oldest goes')
  t.same(log.counts, { answers: 5, deadline: 2, disconnect: 1, error: 1 })
})
