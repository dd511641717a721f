import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../../src/cli/config.js'
import { createConfiguredAdapter } from '../../../src/cli/commands/serve.js'
import { POSTGRES } from '../../helpers/services.js'

function tempFile (name: string, text: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'b24bi-config-'))
  const path = join(directory, name)
  writeFileSync(path, text)
  return path
}

t.test('defaults apply when nothing is set, and the result is frozen', async (t) => {
  const config = loadConfig({ env: {} })
  t.equal(config.port, 3000)
  t.equal(config.host, '0.0.0.0')
  t.equal(config.deadlineSeconds, 55)
  t.equal(config.maxAnswerMegabytes, 256)
  t.equal(config.bodyLimit, 1024 * 1024)
  t.same(config.rateLimit, { enabled: true, max: 300, windowSeconds: 60 })
  t.equal(config.adapter.type, 'demo')
  t.equal(config.metrics, true)
  t.equal(config.docs, false)
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.rateLimit), 'frozen deep')
})

t.test('the file sets values, env vars win over it, the plain names (PORT, CONNECTOR_TOKEN) work', async (t) => {
  const file = tempFile('b24bi.json', JSON.stringify({
    port: 8080, logLevel: 'debug', rateLimit: { max: 10 }, allowIps: ['10.0.0.0/8'], adapter: { type: 'files', directory: '/srv/data' }
  }))
  const config = loadConfig({
    file,
    env: { PORT: '9090', B24BI_DEADLINE_S: '120', B24BI_MAX_ANSWER_MB: '64', CONNECTOR_TOKEN: 'tok', B24BI_RATE_LIMIT_WINDOW_S: '30', B24BI_TRUST_PROXY: '2', B24BI_DOCS: 'yes' }
  })
  t.equal(config.port, 9090, 'PORT wins over the file')
  t.equal(config.logLevel, 'debug', 'from the file')
  t.equal(config.deadlineSeconds, 120)
  t.equal(config.maxAnswerMegabytes, 64)
  t.same(config.rateLimit, { enabled: true, max: 10, windowSeconds: 30 }, 'file and env merge inside an object')
  t.same(config.allowIps, ['10.0.0.0/8'])
  t.equal(config.trustProxy, 2, 'a hop count')
  t.equal(config.docs, true)
  t.same(config.adapter, { type: 'files', directory: '/srv/data', token: 'tok' })
  t.equal(loadConfig({ env: { PORT: '1', B24BI_PORT: '2' } }).port, 2, 'B24BI_PORT wins over PORT')
  t.same(loadConfig({ env: { B24BI_ALLOW_IPS: '127.0.0.1, ::1/128' } }).allowIps, ['127.0.0.1', '::1/128'])
  t.same(loadConfig({ env: { B24BI_ADAPTER: 'postgres', B24BI_ADAPTER_OPTIONS: '{"url":"postgres://x","token":"a-long-token"}' } }).adapter,
    { type: 'postgres', url: 'postgres://x', token: 'a-long-token' })
})

t.test('a wrong setting fails at start with the setting named', async (t) => {
  const wrong = (env: NodeJS.ProcessEnv, file?: string): unknown => {
    try {
      loadConfig({ env, file })
    } catch (error) {
      return error
    }
    return undefined
  }
  t.match(wrong({ PORT: 'eighty' }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /'PORT'/ })
  t.match(wrong({ PORT: '70000' }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /'port \(from PORT\)'/ })
  t.match(wrong({ LOG_LEVEL: 'loud' }), { message: /'logLevel \(from LOG_LEVEL\)'.*must be one of 'fatal'/ })
  t.match(wrong({ B24BI_TIME_ZONE: 'Mars/Olympus' }), { message: /'timeZone'.*IANA/ })
  t.match(wrong({ B24BI_PORTAL_DATE_FORMAT: 'MM-DD-YYYY' }), { message: /'portalDateFormat'.*MM\/DD\/YYYY/ })
  t.equal(loadConfig({ env: { B24BI_PORTAL_DATE_FORMAT: 'MM/DD/YYYY H:MI:SS T' } }).portalDateFormat, 'MM/DD/YYYY H:MI:SS T')
  t.match(wrong({ B24BI_DEADLINE_S: '0' }), { message: /'deadlineSeconds \(from B24BI_DEADLINE_S\)'/ })
  t.match(wrong({ B24BI_METRICS: 'maybe' }), { message: /'B24BI_METRICS'.*true or false/ })
  t.match(wrong({ B24BI_ALLOW_IPS: '10.0.0.0/40' }), { message: /'allowIps\.0'/ })
  t.match(wrong({ B24BI_SHARED_SECRET: 'short' }), { message: /'sharedSecret/ })
  t.match(wrong({ B24BI_ADAPTER: 'files' }), { message: /'adapter\.directory'/ })
  t.match(wrong({ B24BI_ADAPTER_OPTIONS: '[1]' }), { message: /'B24BI_ADAPTER_OPTIONS'/ })
  t.match(wrong({}, tempFile('typo.json', '{"rateLimit":{"maximum":5}}')), { message: /'rateLimit\.maximum' is invalid: is not a known setting; did you mean 'max'\?/ })
  t.match(wrong({}, tempFile('bad.json', '{port: 1}')), { message: /'--config'.*not a JSON object/ })
  t.match(wrong({}, '/nonexistent/b24bi.json'), { message: /'--config'.*cannot read/ })
})

t.test('the adapter: a module by path is loaded and shape-checked; a missing one fails naming the setting', async (t) => {
  const good = tempFile('adapter.mjs', `export class Tiny {
    constructor (options) { this.options = options; this.settings = [] }
    async init () {} async check () { return true } capabilities () { return {} } async ready () { return true } async close () {}
    async listTables () { return [{ code: 'tiny', title: this.options.title }] }
    async describeTable () { return [{ code: 'ID', type: 'int' }] }
    async * readRows () { yield [[1]] }
  }
  export default Tiny`)
  const adapter = await createConfiguredAdapter({ type: 'module', module: good, title: 'Tiny table' })
  t.same(await adapter.listTables('', { connection: {}, log: console }), [{ code: 'tiny', title: 'Tiny table' }], 'options reach the adapter')

  const notAdapter = tempFile('not-adapter.mjs', 'export function createAdapter () { return { hello: 1 } }')
  await t.rejects(createConfiguredAdapter({ type: 'module', module: notAdapter }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /did not produce an adapter/ })
  await t.rejects(createConfiguredAdapter({ type: 'module', module: '/nonexistent/adapter.mjs' }), { message: /'adapter\.module'.*not installed/ })
  await t.rejects(createConfiguredAdapter({ type: 'oracle' }), { message: /'adapter\.type'.*not one of/ })
})

t.test('a built-in SQL adapter by name: `adapter: { type: postgres, url, token }` serves the real database', async (t) => {
  const { buildServer } = await import('../../../src/server/index.js')
  const adapter = await createConfiguredAdapter({ type: 'postgres', url: POSTGRES.url, token: 'pg-config-token' })
  const app = await buildServer({ adapter, logger: false })
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200, 'ready: the database answers')
  const check = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { token: 'pg-config-token' } } })
  t.equal(check.statusCode, 200)
  const wrong = await app.inject({ method: 'POST', url: '/api/check', payload: { connection: { token: 'nope' } } })
  t.equal(wrong.statusCode, 401)
})

t.test('replicas: a shared store needs the shared hash key; both come from env vars', async (t) => {
  const key = 'k'.repeat(64)
  const config = loadConfig({ env: { B24BI_SHARED_STORE: 'redis://127.0.0.1:6379/3', B24BI_HASH_KEY: key, B24BI_INSTANCE: 'replica-a' } })
  t.same(config.sharedStore, { url: 'redis://127.0.0.1:6379/3', prefix: 'b24bi:' })
  t.equal(config.hashKey, key)
  t.equal(config.instance, 'replica-a')
  t.throws(() => loadConfig({ env: { B24BI_SHARED_STORE: 'redis://127.0.0.1:6379/3' } }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /hashKey \(B24BI_HASH_KEY\)' is invalid: is required with sharedStore/ })
  t.throws(() => loadConfig({ env: { B24BI_HASH_KEY: 'short' } }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /hashKey/ })
  t.throws(() => loadConfig({ env: { B24BI_SHARED_STORE: 'postgres://x', B24BI_HASH_KEY: key } }), { code: 'B24BI_ERR_CONFIG_INVALID', message: /sharedStore\.url/ })
})

t.test('the env vars are read from the option schemas: every name, its setting, and which one wins', async (t) => {
  const { ENV_VARS } = await import('../../../src/cli/config-env.js')
  t.same(ENV_VARS.map(([name]) => name).sort(), [
    'B24BI_ADAPTER', 'B24BI_ADAPTER_MODULE', 'B24BI_ADAPTER_OPTIONS', 'B24BI_ALLOW_IPS', 'B24BI_APP_CONNECTION', 'B24BI_AUTH_CACHE_S', 'B24BI_AUTH_FAILURES',
    'B24BI_AUTH_FAILURES_MAX', 'B24BI_AUTH_FAILURES_WINDOW_S', 'B24BI_BODY_LIMIT', 'B24BI_CLIENT_ID', 'B24BI_CLIENT_SECRET', 'B24BI_CONCURRENT_READS',
    'B24BI_CONCURRENT_READS_PER_CREDENTIAL', 'B24BI_CONNECTOR_TITLE', 'B24BI_DATETIME_FORMAT', 'B24BI_DEADLINE_S', 'B24BI_DOCS', 'B24BI_DRAIN_S',
    'B24BI_FILES_DIRECTORY', 'B24BI_HASH_KEY', 'B24BI_HOST', 'B24BI_INSTANCE', 'B24BI_LOG_LEVEL', 'B24BI_MAX_ANSWER_MB', 'B24BI_MAX_EVENT_LOOP_DELAY_MS',
    'B24BI_MAX_EVENT_LOOP_UTILIZATION', 'B24BI_MAX_HEAP_USED_BYTES', 'B24BI_MAX_ROWS', 'B24BI_MAX_RSS_BYTES', 'B24BI_METRICS', 'B24BI_OAUTH_REST_SERVER',
    'B24BI_OAUTH_SERVER', 'B24BI_PORT', 'B24BI_PORTALS', 'B24BI_PORTAL_DATE_FORMAT', 'B24BI_PORTAL_HOSTS', 'B24BI_PORTAL_HTTP', 'B24BI_PUBLIC_URL',
    'B24BI_RATE_LIMIT', 'B24BI_RATE_LIMIT_MAX', 'B24BI_RATE_LIMIT_WINDOW_S', 'B24BI_REQUEST_TIMEOUT_S', 'B24BI_RETRY_AFTER_S', 'B24BI_SHARED_SECRET',
    'B24BI_SHARED_STORE', 'B24BI_SHARED_STORE_PREFIX', 'B24BI_SHUTDOWN_GRACE_S', 'B24BI_SINGLE_INSTANCE', 'B24BI_STALL_S', 'B24BI_SYNC_TABLES_PREFIX',
    'B24BI_SYNC_TABLES_SETTINGS', 'B24BI_SYNC_TABLES_SOURCE', 'B24BI_TIME_ZONE', 'B24BI_TLS_CERT', 'B24BI_TLS_KEY', 'B24BI_TOKEN_STORE', 'B24BI_TRUST_PROXY',
    'B24BI_UNDER_PRESSURE', 'CONNECTOR_TOKEN', 'CONNECTOR_TOKENS', 'HOST', 'LOG_LEVEL', 'PORT'
  ], 'no variable lost when its setting moved into a library schema')
  const config = loadConfig({
    env: {
      B24BI_DEADLINE_S: '30', // a runtime option: the runtime's schema names its variable
      B24BI_RATE_LIMIT_MAX: '7', // a server option inside serve's rateLimit group
      B24BI_AUTH_FAILURES: 'off',
      B24BI_ADAPTER: 'files',
      B24BI_ADAPTER_OPTIONS: '{"directory":"/from/json","token":"json-token","threads":2}',
      B24BI_FILES_DIRECTORY: '/from/variable',
      CONNECTOR_TOKEN: 'variable-token'
    }
  })
  t.equal(config.deadlineSeconds, 30)
  t.same(config.rateLimit, { enabled: true, max: 7, windowSeconds: 60 })
  t.same(config.authFailures, { enabled: false, max: 60, windowSeconds: 60 })
  t.same(config.adapter, { type: 'files', directory: '/from/variable', token: 'variable-token', threads: 2 }, "a setting's own variable wins over the JSON one")
})
