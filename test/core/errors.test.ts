import { stdSerializers } from 'pino'
import t from 'tap'
import { listErrors, isB24biError, toB24biError, ERR_TABLE_NOT_FOUND, ERR_SOURCE_FAILED } from '../../src/core/errors.js'

t.test('codes are unique, prefixed and carry a status', async (t) => {
  const codes = listErrors().map((error) => error.code)
  t.equal(new Set(codes).size, codes.length)
  for (const error of listErrors()) {
    t.match(error.code, /^B24BI_ERR_[A-Z0-9_]+$/)
    t.ok(error.statusCode >= 400 && error.statusCode < 600)
  }
})

t.test('foreign errors are wrapped, their message kept only in the cause', async (t) => {
  const foreign = new Error('password authentication failed for user "admin"')
  const wrapped = toB24biError(foreign, ERR_SOURCE_FAILED)
  t.equal(wrapped.code, 'B24BI_ERR_SOURCE_FAILED')
  t.notMatch(wrapped.message, /password/)
  t.equal(wrapped.cause, foreign)
  const own = new ERR_TABLE_NOT_FOUND('deals')
  t.equal(toB24biError(own), own)
  t.ok(isB24biError({ code: 'B24BI_ERR_X', statusCode: 400 }), 'recognised by shape, not instanceof')
  t.notOk(isB24biError(foreign))
})

t.test('a logged coded error is typed by its code, not by an anonymous class name', async (t) => {
  const error = new ERR_TABLE_NOT_FOUND('deals')
  t.equal(ERR_TABLE_NOT_FOUND.name, 'B24BI_ERR_TABLE_NOT_FOUND')
  t.match(stdSerializers.err(error), { type: 'B24BI_ERR_TABLE_NOT_FOUND', code: 'B24BI_ERR_TABLE_NOT_FOUND', message: "Unknown table 'deals'" })
  t.equal(error.name, 'B24biError', 'the stack still starts with B24biError')
})
