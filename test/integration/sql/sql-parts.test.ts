import pino from 'pino'
import t from 'tap'
import { CLICKHOUSE_TYPES } from '../../../adapters/clickhouse/clickhouse-types.js'
import { MYSQL_TYPES } from '../../../adapters/mysql/mysql-types.js'
import { POSTGRES_TYPES } from '../../../adapters/postgres/postgres-types.js'
import { HostGuard } from '../../../src/adapter-kit/index.js'
import { PoolCache } from '../../../adapters/sql/pool-cache.js'
import { isExposed, resolveSqlOptions } from '../../../adapters/sql/sql-options.js'
import { readingOf } from '../../../adapters/sql/sql-types.js'
import { SQLITE_TYPES } from '../../../adapters/sqlite/sqlite-types.js'
import { SqliteAdapter } from '../../../adapters/sqlite/index.js'
import type { RequestContext } from '../../../src/core/adapter.js'
import { sqliteFile } from '../../helpers/sql/sqlite-fixture.js'
import { isB24biError } from '../../../src/core/errors.js'

const refused = async (guard: HostGuard, host: string): Promise<boolean> =>
  await guard.resolve(host).then(() => false, (error: unknown) => isB24biError(error) && error.code === 'B24BI_ERR_HOST_REFUSED')

t.test('host guard: every resolved address is checked, allow lists widen', async (t) => {
  const names: Record<string, string[]> = {
    'public.example': ['93.184.216.34'],
    'rebinding.example': ['93.184.216.34', '127.0.0.1'],
    'metadata.example': ['169.254.169.254'],
    'v6.example': ['2606:4700::6810:85e5'],
    'ula.example': ['fd00::1'],
    'db.internal': ['10.1.2.3']
  }
  const lookup = async (host: string): Promise<string[]> => {
    const addresses = names[host]
    if (addresses === undefined) throw new Error('ENOTFOUND')
    return addresses
  }
  const strict = new HostGuard([], lookup)
  t.equal(await strict.resolve('public.example'), '93.184.216.34', 'a public name answers its address')
  t.equal(await strict.resolve('v6.example'), '2606:4700::6810:85e5')
  for (const host of ['rebinding.example', 'metadata.example', 'ula.example', 'db.internal', 'unknown.example', '', '127.0.0.1', '::ffff:10.0.0.1', 'fe80::1']) {
    t.ok(await refused(strict, host), `${host || '(empty)'} is refused`)
  }
  const widened = new HostGuard(['10.1.0.0/16', 'metadata.example', '::1'], lookup)
  t.equal(await widened.resolve('db.internal'), '10.1.2.3', 'an allowed network')
  t.equal(await widened.resolve('metadata.example'), '169.254.169.254', 'an allowed name')
  t.equal(await widened.resolve('::1'), '::1', 'an allowed address')
  t.ok(await refused(widened, '10.2.0.1'), 'outside the allowed network')
  t.throws(() => new HostGuard(['10.0.0.0/33']), { code: 'B24BI_ERR_CONFIG_INVALID' })
  t.throws(() => new HostGuard(['not a host!']), { code: 'B24BI_ERR_CONFIG_INVALID' })
})

t.test('pool cache: least recently used out, leased pools closed on release, idle ones swept', async (t) => {
  const closed: string[] = []
  const cache = new PoolCache<string>({ maxPools: 2, idleMs: 1000, close: async (pool) => { closed.push(pool) } })
  t.teardown(() => cache.close())
  cache.lease('a', () => 'A').release()
  const b = cache.lease('b', () => 'B')
  cache.lease('a', () => 'A2').release()
  t.equal(cache.lease('c', () => 'C').pool, 'C')
  await new Promise((resolve) => setImmediate(resolve))
  t.same(closed, [], 'b is evicted (least recently used) but still leased: not closed yet')
  t.equal(cache.size, 2)
  b.release()
  await new Promise((resolve) => setImmediate(resolve))
  t.same(closed, ['B'], 'closed once its lease ends')
  cache.sweep(Date.now() + 1000)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(closed.sort(), ['A', 'B'], 'the idle pool is swept; the leased one stays')
  await cache.close()
  t.same(closed.sort(), ['A', 'B', 'C'])
  t.throws(() => cache.lease('d', () => 'D'), { code: 'B24BI_ERR_ADAPTER_CLOSED' })
})

t.test('exposure: allow and deny lists of schemas and tables, globs, deny wins', async (t) => {
  const exposure = { schemas: { allow: ['sales', 'hr'] }, tables: { deny: ['*_secret', 'hr.salaries'], allow: ['sales.*', 'hr.*'] } }
  t.ok(isExposed(exposure, 'sales', 'orders'))
  t.notOk(isExposed(exposure, 'sales', 'keys_secret'), 'denied by a glob on the table name')
  t.notOk(isExposed(exposure, 'hr', 'salaries'), 'denied by schema.table')
  t.ok(isExposed(exposure, 'hr', 'people'))
  t.notOk(isExposed(exposure, 'public', 'orders'), 'schema not allowed')
  t.ok(isExposed({}, 'any', 'thing'), 'no lists: everything')
})

t.test('options are validated once, at construction', async (t) => {
  const invalid: Array<[string, object]> = [
    ['neither mode', {}],
    ['both modes', { url: 'postgres://x', token: 'long-enough-token', portal: {} }],
    ['a short token', { url: 'postgres://x', token: 'short' }],
    ['two statements', { url: 'postgres://x', token: 'long-enough-token', datasets: [{ name: 'x', sql: 'SELECT 1; DROP TABLE t' }] }],
    ['not a SELECT', { url: 'postgres://x', token: 'long-enough-token', datasets: [{ name: 'x', sql: 'DELETE FROM t' }] }],
    ['a duplicate dataset', { url: 'postgres://x', token: 'long-enough-token', datasets: [{ name: 'x', sql: 'SELECT 1' }, { name: 'x', sql: 'SELECT 2' }] }],
    ['an unknown type', { url: 'postgres://x', token: 'long-enough-token', types: { t: { A: 'decimal' } } }],
    ['a zero timeout', { url: 'postgres://x', token: 'long-enough-token', statementTimeoutSeconds: 0 }],
    ['public data with a token', { url: 'postgres://x', token: 'long-enough-token', public: true }],
    ['public data in portal mode', { portal: {}, public: true }],
    ['public: false without a token', { url: 'postgres://x', public: false }]
  ]
  for (const [name, options] of invalid) t.throws(() => resolveSqlOptions(options, 'postgres'), { code: 'B24BI_ERR_CONFIG_INVALID' }, name)
  const caller = { url: 'postgres://x', token: 'long-enough-token', datasets: [{ name: 'x', sql: 'SELECT 1;' }] }
  const resolved = resolveSqlOptions(caller, 'postgres')
  t.ok(Object.isFrozen(resolved))
  t.equal(resolved.datasets[0]!.sql, 'SELECT 1', 'a trailing semicolon is dropped')
  t.equal(caller.datasets[0]!.sql, 'SELECT 1;', "the caller's options are not changed")
  t.equal(resolved.timeoutMs, 60_000)
  t.same([resolved.public, resolveSqlOptions({ url: 'postgres://x', public: true }, 'postgres').public], [false, true], 'public data: server mode without a token')
})

t.test('public data: no settings, every caller accepted; with a token, only its holder', async (t) => {
  const { path, remove } = await sqliteFile()
  t.teardown(remove)
  const open = new SqliteAdapter({ url: path, public: true })
  const guarded = new SqliteAdapter({ url: path, token: 'long-enough-token' })
  t.teardown(async () => { await open.close(); await guarded.close() })
  const context = (connection: Record<string, string>): RequestContext => ({ connection, log: pino({ level: 'silent' }) }) as unknown as RequestContext
  t.same(open.settings, [], 'public: no settings to fill in')
  t.ok(await open.check(context({})), 'public: a caller without a token is accepted')
  t.same(guarded.settings.map((setting) => setting.code), ['token'])
  t.notOk(await guarded.check(context({})), 'with a token: a caller without it is refused')
  t.ok(await guarded.check(context({ token: 'long-enough-token' })), 'and its holder accepted')
})

t.test('type tables map each engine type to a portal type', async (t) => {
  const cases: Array<[string, typeof POSTGRES_TYPES, string, string | undefined, boolean?]> = [
    ['postgres', POSTGRES_TYPES, 'bigint', 'int'],
    ['postgres', POSTGRES_TYPES, 'numeric(38,10)', 'double'],
    ['postgres', POSTGRES_TYPES, 'money', 'money'],
    ['postgres', POSTGRES_TYPES, 'timestamp(3) with time zone', 'datetime', true],
    ['postgres', POSTGRES_TYPES, 'timestamp without time zone', 'datetime', false],
    ['postgres', POSTGRES_TYPES, 'integer[]', 'string'],
    ['postgres', POSTGRES_TYPES, 'jsonb', 'string'],
    ['postgres', POSTGRES_TYPES, 'mood', undefined],
    ['mysql', MYSQL_TYPES, 'bigint(20) unsigned', 'string'],
    ['mysql', MYSQL_TYPES, 'bigint unsigned zerofill', 'string'],
    ['mysql', MYSQL_TYPES, 'int(10) unsigned', 'int'],
    ['mysql', MYSQL_TYPES, 'bigint(20)', 'int'],
    ['mysql', MYSQL_TYPES, 'decimal(38,2)', 'double'],
    ['mysql', MYSQL_TYPES, 'timestamp', 'datetime', true],
    ['mysql', MYSQL_TYPES, 'datetime(6)', 'datetime', false],
    ['mysql', MYSQL_TYPES, "enum('a','b')", 'string'],
    ['mysql', MYSQL_TYPES, 'json', 'string'],
    ['sqlite', SQLITE_TYPES, 'UNSIGNED BIG INT', 'int'],
    ['sqlite', SQLITE_TYPES, 'VARCHAR(20)', 'string'],
    ['sqlite', SQLITE_TYPES, 'TIMESTAMPTZ', 'datetime', true],
    ['sqlite', SQLITE_TYPES, 'BLOB', undefined],
    ['clickhouse', CLICKHOUSE_TYPES, 'UInt64', 'string'],
    ['clickhouse', CLICKHOUSE_TYPES, 'UInt32', 'int'],
    ['clickhouse', CLICKHOUSE_TYPES, 'Int64', 'int'],
    ['clickhouse', CLICKHOUSE_TYPES, 'Decimal(38, 2)', 'double'],
    ['clickhouse', CLICKHOUSE_TYPES, "DateTime('Europe/Berlin')", 'datetime', true],
    ['clickhouse', CLICKHOUSE_TYPES, 'DateTime', 'datetime', false],
    ['clickhouse', CLICKHOUSE_TYPES, 'Array(String)', undefined]
  ]
  for (const [engine, rules, type, expected, zoned] of cases) {
    const reading = readingOf(rules, type)
    t.equal(reading?.type, expected, `${engine} ${type}`)
    if (zoned !== undefined) t.equal(reading?.zoned === true, zoned, `${engine} ${type} zoned`)
  }
})

t.test('a MySQL JSON column is filtered as its text (MySQL compares a JSON column with a string as JSON)', async (t) => {
  t.match(readingOf(MYSQL_TYPES, 'json'), { type: 'string', as: 'text' })
  t.same(readingOf(MYSQL_TYPES, 'longtext'), { type: 'string' }, 'MariaDB reports its JSON as longtext: compared as stored')
})
