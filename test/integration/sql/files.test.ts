import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import t from 'tap'
import { FilesAdapter } from '../../../adapters/files/files-adapter.js'
import { buildServer } from '../../../src/server/index.js'
import { parquetFolder } from '../../helpers/sql/files-fixture.js'
import { observed, rowsOnly, sqlAdapterSuite } from '../../helpers/sql/suite.js'

const TOKEN = 'files-token-1f6a'

t.test('DuckDB files: the shared SQL adapter suite', async (t) => {
  await sqlAdapterSuite(t as never, {
    name: 'duckdb files',
    writesRows: true,
    open: async () => {
      const { directory, remove } = await parquetFolder()
      const adapter = new FilesAdapter({ directory, token: TOKEN, types: { fixture: { AMOUNT: 'money' }, edge_values: { ZONE: 'timezone' } } })
      return { adapter, connection: { token: TOKEN }, cleanup: remove }
    }
  })
})

t.test('DuckDB files: the text export answers the row path\'s bytes for every number type, nested values and overridden types', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'b24bi-files-text-'))
  t.teardown(async () => await rm(directory, { recursive: true, force: true }))
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    // FLOAT and DOUBLE at their edges (the row path gets JS numbers: 0.1f is 0.10000000149011612), 64- and 128-bit
    // integers, a BIGINT shown as money, DOUBLEs shown as int and as string, a boolean, a list, a struct with a tab.
    await connection.run(`COPY (SELECT * FROM (VALUES
      (1, CAST(0.1 AS FLOAT), CAST(1e16 AS DOUBLE), 9223372036854775807, CAST('170141183460469231731687303715884105727' AS HUGEINT), CAST(18446744073709551615 AS UBIGINT), true, [1, 2], {'a': 'x' || chr(9) || 'y'}, CAST(1e20 AS DOUBLE), CAST(1e20 AS DOUBLE)),
      (2, CAST(-0.0 AS FLOAT), CAST(-0.0 AS DOUBLE), -9223372036854775808, CAST(-1 AS HUGEINT), CAST(0 AS UBIGINT), false, [], {'a': 'back\\slash'}, CAST(3 AS DOUBLE), CAST(1.5e-7 AS DOUBLE)),
      (3, CAST('nan' AS FLOAT), CAST('-inf' AS DOUBLE), 0, NULL, NULL, NULL, NULL, NULL, CAST(-0.0 AS DOUBLE), CAST('nan' AS DOUBLE)),
      (4, CAST('inf' AS FLOAT), CAST(5e-324 AS DOUBLE), NULL, 0, 1, true, [NULL], {'a': NULL}, NULL, CAST(9007199254740992 AS DOUBLE)),
      (5, CAST(3.4028235e38 AS FLOAT), CAST(1.7976931348623157e308 AS DOUBLE), 1, 1, 1, true, [3], {'a': ''}, CAST(-1e21 AS DOUBLE), NULL)
    ) AS v("ID", "F", "D", "B", "H", "U", "BO", "L", "S", "AS_INT", "AS_TEXT")) TO '${join(directory, 'numbers.parquet').replaceAll("'", "''")}' (FORMAT parquet)`)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
  const adapter = new FilesAdapter({ directory, token: TOKEN, types: { numbers: { B: 'money', AS_INT: 'int', AS_TEXT: 'string' } } })
  t.teardown(() => adapter.close())
  const written = { chunks: 0 }
  for (const runtime of [{}, { timeZone: 'Europe/Berlin', datetimeFormat: 'iso' as const }]) {
    const writes = await buildServer({ adapter: observed(adapter, written), logger: false, runtime })
    const reads = await buildServer({ adapter: rowsOnly(adapter), logger: false, runtime })
    try {
      for (const body of [{ table: 'numbers' }, { table: 'numbers', select: ['AS_TEXT', 'D', 'F', 'ID'] }, { table: 'numbers', filter: { '>=ID': '3' } }]) {
        const send = { method: 'POST' as const, url: '/api/data', payload: { connection: { token: TOKEN }, ...body } }
        const [fast, slow] = await Promise.all([writes.inject(send), reads.inject(send)])
        t.equal(slow.statusCode, 200, slow.body)
        t.ok(fast.rawPayload.equals(slow.rawPayload), `${JSON.stringify(runtime)} ${JSON.stringify(body)}: ${slow.body}`)
      }
    } finally {
      await Promise.all([writes.close(), reads.close()])
    }
  }
  t.ok(written.chunks > 0, 'the source wrote the rows')
})
