import t from 'tap'
import { PostgresAdapter } from '../../../adapters/postgres/index.js'
import { POSTGRES } from '../../helpers/services.js'
import { Adapter, type ReadPlan, type RequestContext, type Row } from '../../../src/core/adapter.js'
import type { FieldInfo } from '../../../src/core/field-types.js'
import { createDemoAdapter } from '../../../src/cli/demo.js'
import { ensurePgTables, testPool } from '../../helpers/pg-fixture.js'
import { liveServer, postForm, type LiveServer, type SeenAnswer } from '../../helpers/live-server.js'

// Every secret the run sends; none may appear in any answer or log line.
const SECRETS = {
  demoToken: 'demo-canary-7a1f2c',
  wrongToken: 'wrong-canary-90be11',
  pgPassword: 'pg-canary-pass-4d2e',
  apiKey: 'api-canary-key-c0ffee'
}

/** An API adapter whose driver errors carry its credentials the way real drivers do (URLs, key=value). */
class LeakyDriverAdapter extends Adapter {
  override readonly settings = [{ code: 'apiKey', name: 'API key', type: 'STRING' as const, secret: true }]
  override async check ({ connection }: RequestContext): Promise<boolean> {
    if (connection.apiKey === 'fail') throw new Error(`connect ECONNREFUSED https://svc:${SECRETS.apiKey}@api.example/v1 token=${SECRETS.apiKey}`)
    return true
  }

  async listTables (): Promise<Array<{ code: string }>> {
    return [{ code: 'items' }]
  }

  async describeTable (table: string): Promise<FieldInfo[] | undefined> {
    return table === 'items' ? [{ code: 'ID', type: 'int' }] : undefined
  }

  async * readRows (_plan: ReadPlan, { connection }: RequestContext): AsyncGenerator<Row[]> {
    yield [[1], [2]]
    throw new Error(`socket hang up GET https://svc:${connection.apiKey}@api.example/items?password=${connection.apiKey}`)
  }
}

const seen: Array<{ where: string, text: string }> = []
function keep (where: string, answer: SeenAnswer): SeenAnswer {
  seen.push({ where, text: answer.body })
  return answer
}

async function fullRun (server: LiveServer, name: string, good: Record<string, string>, bad: Record<string, string>, table: string): Promise<void> {
  const calls: Array<[string, Record<string, unknown>]> = [
    ['/api/check', { connection: good }],
    ['/api/check', { connection: bad }],
    ['/api/table_list', { connection: good, searchString: '' }],
    ['/api/table_list', { connection: bad }],
    ['/api/table_description', { connection: good, table }],
    ['/api/table_description', { connection: good, table: 'nope' }],
    ['/api/data', { connection: good, table, limit: '3' }],
    ['/api/data', { connection: good, table, select: ['NOPE'] }],
    ['/api/data', { connection: good, table, filter: { '>=NOPE': '1' } }],
    ['/api/data', { connection: good, table }],
    ['/api/data', { connection: bad, table }],
    ['/api/data', { connection: { ...good, extra: SECRETS.wrongToken }, table, limit: '1' }]
  ]
  for (const [path, body] of calls) keep(`${name} ${path}`, await postForm(`${server.url}${path}`, body))
  seen.push(...server.logs.map((text) => ({ where: `${name} log`, text })))
}

t.test('a full run over every endpoint, with failures, at debug level: no secret in any answer or log line', async (t) => {
  const pool = testPool()
  await ensurePgTables(pool)
  await pool.end()

  const demo = await liveServer(await createDemoAdapter({ token: SECRETS.demoToken }))
  t.teardown(() => demo.app.close())
  await fullRun(demo, 'demo', { token: SECRETS.demoToken }, { token: SECRETS.wrongToken }, 'exact_values')

  const portal = await liveServer(new PostgresAdapter({ portal: { allowHosts: [POSTGRES.host] }, exposure: { tables: { allow: ['b24bi_inject'] } } }))
  t.teardown(() => portal.app.close())
  const pgGood = { ...POSTGRES.connection, password: SECRETS.pgPassword }
  await fullRun(portal, 'postgres portal', pgGood, { ...pgGood, port: '1', password: SECRETS.wrongToken }, 'b24bi_inject')

  const leaky = await liveServer(new LeakyDriverAdapter())
  t.teardown(() => leaky.app.close())
  await fullRun(leaky, 'leaky driver', { apiKey: SECRETS.apiKey }, { apiKey: 'fail' }, 'items')

  t.ok(seen.length > 60, `${seen.length} answers and log lines captured`)
  t.ok(seen.some(({ text }) => text.includes('[redacted]')), 'redaction is at work')
  t.ok(seen.some(({ where, text }) => where === 'leaky driver log' && text.includes('api.example')), 'the driver messages holding the key were logged (scrubbed)')
  t.ok(seen.some(({ where, text }) => where === 'postgres portal log' && text.includes('"level":50')), 'the unreachable database was logged as an error')
  for (const [name, secret] of Object.entries(SECRETS)) {
    const hits = seen.filter(({ text }) => text.includes(secret))
    t.same(hits.map(({ where, text }) => `${where}: ${text.slice(0, 300)}`), [], `${name} appears nowhere`)
  }
})
