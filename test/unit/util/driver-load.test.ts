import { createRequire } from 'node:module'
import t from 'tap'
import { loadDriver } from '../../../src/util/driver-load.js'

t.test('a driver that is not installed is a coded error naming the package and the install command', async (t) => {
  await t.rejects(loadDriver('b24bi-no-such-driver', async () => await import('b24bi-no-such-driver' as string)), {
    code: 'B24BI_ERR_DRIVER_MISSING',
    message: "The package 'b24bi-no-such-driver' is not installed; it is an optional peer dependency of b24bi: npm install b24bi-no-such-driver"
  })
  await t.rejects(loadDriver(['pg', 'b24bi-other'], async () => await import('b24bi-other' as string)), { message: /'b24bi-other' is not installed/ }, 'the missing one of several')
  const resolve = async (): Promise<string> => createRequire(import.meta.url).resolve('b24bi-no-such-package/package.json')
  await t.rejects(loadDriver('b24bi-no-such-package', resolve), { code: 'B24BI_ERR_DRIVER_MISSING', message: /'b24bi-no-such-package' is not installed/ },
    'a file of the package (its package.json) resolved instead of imported')
  await t.rejects(loadDriver('b24bi-no-such', resolve), { message: /Cannot find module/ }, 'a package whose name only begins the same is not the one missing')
  const failing = new Error('the module threw while loading')
  await t.rejects(loadDriver('pg', async () => { throw failing }), failing, 'any other failure is passed on as it is')
  t.equal((await loadDriver('pg', async () => await import('pg'))).default.Pool !== undefined, true, 'an installed driver loads')
})
