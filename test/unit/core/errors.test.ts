import { stdSerializers } from 'pino'
import t from 'tap'
import { listErrors, isB24biError, toB24biError, ERR_SETTING_INVALID, ERR_TABLE_NOT_FOUND, ERR_SOURCE_FAILED } from '../../../src/core/errors.js'

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

t.test('a registered error formats its message, carries its cause, and is recognised across package copies', async (t) => {
  const copyPath = '../../../src/core/errors.js?second-copy'
  const copy = await import(copyPath) as typeof import('../../../src/core/errors.js')
  t.not(copy.ERR_SETTING_INVALID, ERR_SETTING_INVALID, 'a second module instance, as a second package copy would be')
  const cause = new Error('not a number')
  const error = new copy.ERR_SETTING_INVALID('port', 'a port number', { cause })
  t.equal(error.message, "The connection setting 'port' must be a port number")
  t.equal(error.statusCode, 400)
  t.equal(error.cause, cause)
  t.ok(isB24biError(error), 'by shape')
  t.ok(error instanceof ERR_SETTING_INVALID, "instanceof this copy's class: @fastify/error matches by code")
  t.notOk(error instanceof ERR_TABLE_NOT_FOUND)
})
