import t from 'tap'
import { resolveSqlOptions } from '../../../adapters/sql/sql-options.js'
import { countOption, nonNegativeOption, positiveOption } from '../../../src/util/option-numbers.js'
import { resolveRuntimeOptions } from '../../../src/runtime/runtime-options.js'

t.test('one numeric option check, named in the error', async (t) => {
  t.equal(positiveOption('x', 1.5), 1.5)
  for (const bad of [0, -1, NaN, Infinity, '5' as unknown as number]) t.throws(() => positiveOption('x', bad), { code: 'B24BI_ERR_CONFIG_INVALID', message: /'x'.*positive number/ }, String(bad))
  t.equal(nonNegativeOption('y', 0), 0)
  t.throws(() => nonNegativeOption('y', -0.5), { message: /'y'.*non-negative/ })
  t.equal(countOption('z', 3), 3)
  for (const bad of [0, 1.5, NaN]) t.throws(() => countOption('z', bad), { message: /'z'.*positive integer/ }, String(bad))
})

t.test('the runtime and the SQL adapters refuse the same values alike', async (t) => {
  for (const bad of [0, -1, NaN, Infinity]) {
    t.throws(() => resolveRuntimeOptions({ deadlineSeconds: bad }), { message: /'deadlineSeconds'.*must be a positive number/ }, `deadlineSeconds ${bad}`)
    t.throws(() => resolveSqlOptions({ url: 'postgres://x@h/db', token: 'a-long-token', statementTimeoutSeconds: bad }, 'postgres'),
      { message: /'statementTimeoutSeconds'.*must be a positive number/ }, `statementTimeoutSeconds ${bad}`)
  }
  t.equal(resolveRuntimeOptions({}).maxRows, Infinity, 'maxRows: no limit by default')
  t.equal(resolveRuntimeOptions({ authCacheSeconds: 0 }).authCacheSeconds, 0, 'authCacheSeconds may be 0')
})
