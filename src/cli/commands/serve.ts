import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import type { Adapter } from '../../core/adapter.js'
import type { Command, CliIo } from '../command.js'
import { loadConfig, runtimeOptionsOf } from '../config.js'
import type { Config } from '../config-schema.js'
import { ERR_CLI_USAGE, ERR_CONFIG_INVALID } from '../../core/errors.js'
import { assertAdapterShape } from '../../core/adapter-shape.js'
import { createDemoAdapter, DEMO_TOKEN, type DemoOptions } from '../demo.js'
import { buildServer } from '../../server/build-server.js'
import { DEFAULT_PATHS } from '../../protocol/endpoints.js'
import { installPlugin } from '../../../plugins/install.js'
import { installConfigOf, installPluginOptions } from '../install-setup.js'
import { openSharedStore } from '../shared-store.js'

const usage = `Usage: b24bi serve [--config <file.json>]

Runs the connector. Without a config (and without B24BI_ADAPTER) it serves the embedded demo data set.
Settings come from the JSON file, then from env vars (which win); a wrong or unknown one stops the start naming
it (and the closest known key). b24bi config schema prints the JSON Schema of the file.

Environment (the most used; every setting has one, see docs/configuration.md):
  PORT, HOST                 where to listen (default 3000, 0.0.0.0)
  LOG_LEVEL                  pino level (default info)
  CONNECTOR_TOKEN            the demo's / files / SQL adapter's access token (demo default "demo", with a warning)
  CONNECTOR_TOKENS           more tokens accepted, comma-separated: rotate without downtime (old,new; then new)
  B24BI_ADAPTER              demo | files | postgres | mysql | sqlite | clickhouse | http | module
  B24BI_ADAPTER_OPTIONS      the adapter's options as a JSON object (unknown keys stop the start)
  B24BI_ADAPTER_MODULE       with B24BI_ADAPTER=module: a package or file exporting (default, or as "adapter")
                             an adapter class (constructed with the options), an instance, or a factory
                             (options) => adapter; or createAdapter(options)
  B24BI_DEADLINE_S           seconds an urlData answer may take (default 55: the portal stops a transfer at 60)
  B24BI_MAX_ANSWER_MB        answers larger than this are logged as a warning (default 256)
  B24BI_DRAIN_S              seconds /ready fails on SIGTERM before the listener closes (default 10)
  B24BI_TIME_ZONE            zone for zone-aware datetimes and filter values (default UTC)
  B24BI_SHARED_SECRET        require header x-b24bi-secret or ?secret= on every call
  B24BI_ALLOW_IPS            comma-separated CIDR ranges allowed in
  B24BI_SHARED_STORE         redis://... every replica shares: one rate limit and one refused-login count for all
  B24BI_HASH_KEY             the credential-hash key, the same on every replica (required with B24BI_SHARED_STORE)
  B24BI_INSTANCE             this replica's instance label in /metrics (default <host name>:<port>)
  B24BI_TLS_CERT, B24BI_TLS_KEY  PEM files: serve HTTPS
  B24BI_CLIENT_ID, B24BI_CLIENT_SECRET, B24BI_PUBLIC_URL
                             turn on the install flow of a Bitrix24 local application (routes /bitrix24/install
                             and /bitrix24/events); B24BI_TOKEN_STORE (postgres://, redis://, or file: with
                             B24BI_SINGLE_INSTANCE=1 for one replica only) keeps the tokens, checked writable at start;
                             the connector's page in the portal is POST /bitrix24/app (LEFT_MENU, bound at install)
  B24BI_APP_CONNECTION       JSON settings the page reads tables and runs its test with, e.g. {"token":"..."}
                             (the demo's token by default; kept on the server)
  B24BI_SYNC_TABLES_SOURCE, B24BI_SYNC_TABLES_SETTINGS (JSON object), B24BI_SYNC_TABLES_PREFIX
                             on install, find or add the source of that title and create its portal tables
`

/** Built-in adapters by name, relative to this file (each exports one adapter class taking its options). */
const BUILT_IN: Readonly<Record<string, string>> = {
  postgres: '../../../adapters/postgres/index.js',
  mysql: '../../../adapters/mysql/index.js',
  sqlite: '../../../adapters/sqlite/index.js',
  clickhouse: '../../../adapters/clickhouse/index.js',
  http: '../../../adapters/http/index.js'
}

function parseArgs (args: string[]): { config?: string } {
  const out: { config?: string } = {}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--config') out.config = args[++i]
    else if (arg.startsWith('--config=')) out.config = arg.slice('--config='.length)
    else throw new ERR_CLI_USAGE(`serve: unknown argument '${arg}'; see b24bi serve --help`)
    if (out.config === undefined || out.config === '') throw new ERR_CLI_USAGE('serve: --config needs a file')
  }
  return out
}

async function importAdapterModule (specifier: string, setting: string): Promise<Record<string, unknown>> {
  try {
    return await import(specifier) as Record<string, unknown>
  } catch (error) {
    // Loaders differ (ts-node drops the code), so the message decides too.
    const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)/.test((error as Error).message)
    throw new ERR_CONFIG_INVALID(setting, missing ? `the module '${specifier}' is not installed or not built` : `the module '${specifier}' failed to load`, { cause: error })
  }
}

/**
 * What an adapter module offers, first found: `createAdapter`, the default export, an export named `adapter`,
 * else the one exported class with a `readRows` method.
 */
function offeredBy (module: Record<string, unknown>): unknown {
  for (const key of ['createAdapter', 'default', 'adapter']) if (module[key] !== undefined) return module[key]
  const classes = Object.values(module).filter((value) =>
    typeof value === 'function' && typeof (value as { prototype?: { readRows?: unknown } }).prototype?.readRows === 'function')
  return classes.length === 1 ? classes[0] : undefined
}

/**
 * The module's adapter: an exported instance as it is (it takes no options), a class constructed with the options,
 * a factory called with them (it may be async).
 */
async function instantiate (module: Record<string, unknown>, options: Record<string, unknown>, name: string, setting: string): Promise<Adapter> {
  const offered = offeredBy(module)
  if (typeof offered === 'object' && offered !== null) {
    assertAdapterShape(offered, setting, name)
    const given = Object.keys(options)
    if (given.length > 0) {
      throw new ERR_CONFIG_INVALID(`adapter.${given[0]!}`, `'${name}' exports an adapter instance, which takes no options; export its class or a factory to pass options`)
    }
    return offered
  }
  if (typeof offered !== 'function') {
    throw new ERR_CONFIG_INVALID('adapter', `'${name}' exports no adapter: export default (or as 'adapter') an adapter class, an instance or a factory (options) => adapter, or export createAdapter(options)`)
  }
  const isClass = /^class\b/.test(Function.prototype.toString.call(offered))
  const adapter: unknown = isClass
    ? new (offered as new (options: unknown) => unknown)(options)
    : await (offered as (options: unknown) => unknown)(options)
  assertAdapterShape(adapter, setting, name)
  return adapter
}

/** Builds the configured adapter; a missing or malformed adapter module fails here, at start. */
export async function createConfiguredAdapter (config: Config['adapter'] & Readonly<Record<string, unknown>>): Promise<Adapter> {
  const { type, module, ...options } = config
  if (type === 'demo') {
    const { token, tokens, ...duckdb } = options as Omit<DemoOptions, 'cacheDirectory'>
    return await createDemoAdapter({ ...duckdb, ...(tokens === undefined ? { token: token ?? DEMO_TOKEN } : { token, tokens }) })
  }
  if (type === 'files') {
    const { FilesAdapter } = await import('../../../adapters/files/files-adapter.js')
    return new FilesAdapter(options as unknown as ConstructorParameters<typeof FilesAdapter>[0])
  }
  if (type === 'module') {
    const specifier = module!.startsWith('.') || isAbsolute(module!) ? pathToFileURL(resolve(module!)).href : module!
    return await instantiate(await importAdapterModule(specifier, 'adapter.module'), options, module!, 'adapter.module')
  }
  const path = BUILT_IN[type]
  if (path === undefined) throw new ERR_CONFIG_INVALID('adapter.type', `'${type}' is not one of demo, files, module, ${Object.keys(BUILT_IN).join(', ')}`)
  return await instantiate(await importAdapterModule(path, 'adapter.type'), options, type, 'adapter.type')
}

function readTls (config: Config): { cert: Buffer, key: Buffer } | undefined {
  if (config.tls === undefined) return undefined
  const read = (setting: 'cert' | 'key'): Buffer => {
    try {
      return readFileSync(config.tls![setting])
    } catch (error) {
      throw new ERR_CONFIG_INVALID(`tls.${setting}`, `cannot read '${config.tls![setting]}'`, { cause: error })
    }
  }
  return { cert: read('cert'), key: read('key') }
}

/** The demo with neither CONNECTOR_TOKEN nor CONNECTOR_TOKENS: it accepts the public token. */
function isPublicDemo (config: Config): boolean {
  return config.adapter.type === 'demo' && config.adapter.token === undefined && config.adapter.tokens === undefined
}

function banner (base: string, config: Config): string {
  const demoToken = isPublicDemo(config)
  const secret = config.sharedSecret !== undefined ? '?secret=<shared secret>' : ''
  const lines = [
    '',
    `b24bi connector (${config.adapter.type}) is running. Register these URLs in Bitrix24 (biconnector.connector.add):`,
    `  urlCheck             ${base}${DEFAULT_PATHS.check}${secret}`,
    `  urlTableList         ${base}${DEFAULT_PATHS.tableList}${secret}`,
    `  urlTableDescription  ${base}${DEFAULT_PATHS.tableDescription}${secret}`,
    `  urlData              ${base}${DEFAULT_PATHS.data}${secret}`
  ]
  if (config.adapter.type === 'demo') {
    lines.push(`Setting: code "token", value ${demoToken ? `"${DEMO_TOKEN}"` : 'from CONNECTOR_TOKEN'}`,
      `Try it:  curl -s ${base}${DEFAULT_PATHS.tableList}${secret} -d 'connection[token]=${demoToken ? DEMO_TOKEN : '<your token>'}'`)
  }
  return [...lines, ''].join('\n')
}

/** A limit's options when its `enabled` switch is on, else false. */
function switched<T extends { enabled: boolean }> ({ enabled, ...options }: T): Omit<T, 'enabled'> | false {
  return enabled ? options : false
}

/** The SQL engines, whose pools are sized from the read caps unless `poolSize` is set. */
const SQL_TYPES = new Set(['postgres', 'mysql', 'clickhouse'])

/**
 * The adapter's options with each pool sized from the caps (unless `poolSize` or `maxConnections` is set): a
 * credential set streams at most `concurrentReadsPerCredential` answers at once, plus one connection for catalog
 * reads and one for a describe or list beside them (the default cap of 2 gives the SQL default of 4).
 */
function sizedAdapterConfig (config: Config): Config['adapter'] & Readonly<Record<string, unknown>> {
  const adapter = config.adapter as Config['adapter'] & Readonly<Record<string, unknown>>
  if (!SQL_TYPES.has(adapter.type) || adapter.poolSize !== undefined || adapter.maxConnections !== undefined) return adapter
  return { ...adapter, poolSize: config.concurrentReadsPerCredential + 2 }
}

/** The install flow's plugin options with a shared (or allowed) token store proved writable; undefined when the flow is off. */
async function openInstall (config: Config): Promise<Awaited<ReturnType<typeof installPluginOptions>> | undefined> {
  const install = installConfigOf(config.install)
  return install === undefined ? undefined : await installPluginOptions(install)
}

async function run (args: string[], io: CliIo): Promise<number> {
  const config = loadConfig({ file: parseArgs(args).config, env: io.env })
  // The token store first, before the adapter, any route or the listener: an unshared or read-only store stops
  // the start here instead of failing an install after the connector was registered at the portal.
  const install = await openInstall(config)
  try {
    return await start(config, io, install)
  } catch (error) {
    await install?.close()
    throw error
  }
}

async function start (config: Config, io: CliIo, install: Awaited<ReturnType<typeof openInstall>>): Promise<number> {
  const adapter = await createConfiguredAdapter(sizedAdapterConfig(config))
  const shared = config.sharedStore === undefined ? undefined : await openSharedStore(config.sharedStore)
  const fastify = await buildServer({
    adapter,
    logger: { level: config.logLevel },
    runtime: runtimeOptionsOf(config),
    bodyLimit: config.bodyLimit,
    requestTimeoutSeconds: config.requestTimeoutSeconds,
    trustProxy: config.trustProxy as boolean | string | string[], // a hop count works too (proxy-addr); the type omits it
    rateLimit: switched(config.rateLimit),
    ...(shared === undefined ? {} : { sharedStore: shared.options }),
    underPressure: switched(config.underPressure),
    sharedSecret: config.sharedSecret,
    allowIps: config.allowIps,
    metrics: config.metrics && { instance: config.instance ?? `${hostname()}:${config.port}` },
    docs: config.docs,
    tls: readTls(config)
  }).catch(async (error: unknown) => {
    await shared?.close()
    throw error
  })
  if (shared !== undefined) fastify.addHook('onClose', shared.close)
  if (install !== undefined) {
    // The app page reads tables and runs the test with these settings (the demo's token unless install.appConnection, B24BI_APP_CONNECTION).
    const connection = config.install?.appConnection ?? (config.adapter.type === 'demo' ? { token: config.adapter.token ?? config.adapter.tokens?.[0] ?? DEMO_TOKEN } : undefined)
    await fastify.register(installPlugin, { ...install.options, ...(connection === undefined ? {} : { page: { connection } }) })
    fastify.addHook('onClose', install.close)
  }
  if (isPublicDemo(config)) {
    fastify.log.warn(`CONNECTOR_TOKEN is not set: the demo accepts the public token "${DEMO_TOKEN}". Set CONNECTOR_TOKEN before exposing this server.`)
  }
  // Drain, then stop: /ready fails first so the balancer stops sending new calls, then the listener closes and
  // the answers in flight get a grace at least as long as their own deadline.
  const graceSeconds = Math.max(config.shutdownGraceSeconds, config.deadlineSeconds)
  closeWithGrace({ delay: (config.drainSeconds + graceSeconds) * 1000 }, async ({ signal, err }) => {
    if (err !== undefined) fastify.log.error({ err }, 'shutting down after an error')
    else {
      fastify.readiness.drain()
      fastify.log.info({ signal, drainSeconds: config.drainSeconds, graceSeconds }, 'draining: /ready answers 503, then in-flight answers finish')
      await sleep(config.drainSeconds * 1000)
    }
    await fastify.close()
  })
  await fastify.listen({ port: config.port, host: config.host })
  const address = fastify.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  io.stdout.write(banner(`${config.tls !== undefined ? 'https' : 'http'}://${shown}:${port}`, config) + '\n')
  return 0
}

export const command: Command = { usage, run }
