import t from 'tap'
import { FilesAdapter } from '../../adapters/files/files-adapter.js'
import { parquetFolder } from './files-fixture.js'
import { sqlAdapterSuite } from './suite.js'

const TOKEN = 'files-token-1f6a'

t.test('DuckDB files: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    name: 'duckdb files',
    open: async () => {
      const { directory, remove } = await parquetFolder()
      const adapter = new FilesAdapter({ directory, token: TOKEN, types: { fixture: { AMOUNT: 'money' }, edge_values: { ZONE: 'timezone' } } })
      return { adapter, connection: { token: TOKEN }, cleanup: remove }
    }
  })
})
