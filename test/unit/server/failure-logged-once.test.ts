import t from 'tap'
import { Adapter } from '../../../src/core/adapter.js'
import { buildServer } from '../../../src/server/index.js'

/** A source that fails: after one row, or before any. */
class FailingSource extends Adapter {
  constructor (readonly early: boolean) {
    super()
  }

  async listTables (): Promise<Array<{ code: string, title: string }>> {
    return [{ code: 'deals', title: 'Deals' }]
  }

  async describeTable (): Promise<Array<{ code: string, type: 'int' }>> {
    return [{ code: 'ID', type: 'int' }]
  }

  async * readRows (): AsyncGenerator<unknown[][]> {
    if (!this.early) yield [[1]]
    throw new Error('the source died')
  }
}

for (const early of [true, false]) {
  t.test(`a read that fails ${early ? 'before any row' : 'after a row'}: one line at error, with the facts and the cause`, async (t) => {
    const lines: Array<Record<string, any>> = []
    const app = await buildServer({ adapter: new FailingSource(early), logger: { level: 'debug', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } })
    t.teardown(() => app.close())
    const answer = await app.inject({ method: 'POST', url: '/api/data', payload: { connection: {}, table: 'deals' } })
    t.equal(answer.statusCode, 502)
    t.equal(answer.json().error, 'B24BI_ERR_SOURCE_FAILED')
    const errors = lines.filter((line) => line.level >= 50)
    t.equal(errors.length, 1, 'one failure, one error line')
    t.match(errors[0], { table: 'deals', rows: early ? 0 : 1, err: { type: 'B24BI_ERR_SOURCE_FAILED', message: /the source died/ } })
    t.match(errors[0]!.msg, /^urlData for 'deals' failed after/)
    t.ok(lines.some((line) => line.level === 20 && line.code === 'B24BI_ERR_SOURCE_FAILED' && /logged above/.test(line.msg)), 'the error handler says so at debug')
  })
}
