import { ERR_CONFIG_INVALID } from '../core/errors.js'

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'trust' | 'json'

/** Each env var, the config path it sets and how its text is read. Later rows win over earlier ones. */
export const ENV_VARS: ReadonlyArray<readonly [name: string, path: string, kind: Kind]> = Object.freeze([
  ['PORT', 'port', 'number'],
  ['HOST', 'host', 'string'],
  ['LOG_LEVEL', 'logLevel', 'string'],
  ['CONNECTOR_TOKEN', 'adapter.token', 'string'],
  ['CONNECTOR_TOKENS', 'adapter.tokens', 'list'],
  ['B24BI_PORT', 'port', 'number'],
  ['B24BI_HOST', 'host', 'string'],
  ['B24BI_LOG_LEVEL', 'logLevel', 'string'],
  ['B24BI_TIME_ZONE', 'timeZone', 'string'],
  ['B24BI_DATETIME_FORMAT', 'datetimeFormat', 'string'],
  ['B24BI_PORTAL_DATE_FORMAT', 'portalDateFormat', 'string'],
  ['B24BI_DEADLINE_S', 'deadlineSeconds', 'number'],
  ['B24BI_MAX_ROWS', 'maxRows', 'number'],
  ['B24BI_MAX_ANSWER_MB', 'maxAnswerMegabytes', 'number'],
  ['B24BI_AUTH_CACHE_S', 'authCacheSeconds', 'number'],
  ['B24BI_CONCURRENT_READS_PER_CREDENTIAL', 'concurrentReadsPerCredential', 'number'],
  ['B24BI_CONCURRENT_READS', 'concurrentReads', 'number'],
  ['B24BI_STALL_S', 'stallSeconds', 'number'],
  ['B24BI_BODY_LIMIT', 'bodyLimit', 'number'],
  ['B24BI_REQUEST_TIMEOUT_S', 'requestTimeoutSeconds', 'number'],
  ['B24BI_SHUTDOWN_GRACE_S', 'shutdownGraceSeconds', 'number'],
  ['B24BI_DRAIN_S', 'drainSeconds', 'number'],
  ['B24BI_RATE_LIMIT', 'rateLimit.enabled', 'boolean'],
  ['B24BI_RATE_LIMIT_MAX', 'rateLimit.max', 'number'],
  ['B24BI_RATE_LIMIT_WINDOW_S', 'rateLimit.windowSeconds', 'number'],
  ['B24BI_AUTH_FAILURES', 'authFailures.enabled', 'boolean'],
  ['B24BI_AUTH_FAILURES_MAX', 'authFailures.max', 'number'],
  ['B24BI_AUTH_FAILURES_WINDOW_S', 'authFailures.windowSeconds', 'number'],
  ['B24BI_SHARED_STORE', 'sharedStore.url', 'string'],
  ['B24BI_SHARED_STORE_PREFIX', 'sharedStore.prefix', 'string'],
  ['B24BI_HASH_KEY', 'hashKey', 'string'],
  ['B24BI_UNDER_PRESSURE', 'underPressure.enabled', 'boolean'],
  ['B24BI_MAX_EVENT_LOOP_DELAY_MS', 'underPressure.maxEventLoopDelayMs', 'number'],
  ['B24BI_MAX_EVENT_LOOP_UTILIZATION', 'underPressure.maxEventLoopUtilization', 'number'],
  ['B24BI_MAX_HEAP_USED_BYTES', 'underPressure.maxHeapUsedBytes', 'number'],
  ['B24BI_MAX_RSS_BYTES', 'underPressure.maxRssBytes', 'number'],
  ['B24BI_RETRY_AFTER_S', 'underPressure.retryAfterSeconds', 'number'],
  ['B24BI_SHARED_SECRET', 'sharedSecret', 'string'],
  ['B24BI_ALLOW_IPS', 'allowIps', 'list'],
  ['B24BI_TRUST_PROXY', 'trustProxy', 'trust'],
  ['B24BI_TLS_CERT', 'tls.cert', 'string'],
  ['B24BI_TLS_KEY', 'tls.key', 'string'],
  ['B24BI_METRICS', 'metrics', 'boolean'],
  ['B24BI_DOCS', 'docs', 'boolean'],
  ['B24BI_INSTANCE', 'instance', 'string'],
  ['B24BI_ADAPTER', 'adapter.type', 'string'],
  ['B24BI_ADAPTER_MODULE', 'adapter.module', 'string'],
  ['B24BI_ADAPTER_OPTIONS', 'adapter', 'json'],
  ['B24BI_FILES_DIRECTORY', 'adapter.directory', 'string'],
  ['B24BI_CLIENT_ID', 'install.clientId', 'string'],
  ['B24BI_CLIENT_SECRET', 'install.clientSecret', 'string'],
  ['B24BI_PUBLIC_URL', 'install.publicUrl', 'string'],
  ['B24BI_CONNECTOR_TITLE', 'install.title', 'string'],
  ['B24BI_TOKEN_STORE', 'install.tokenStore', 'string'],
  ['B24BI_SINGLE_INSTANCE', 'install.singleInstance', 'boolean'],
  ['B24BI_OAUTH_SERVER', 'install.oauthServer', 'string'],
  ['B24BI_OAUTH_REST_SERVER', 'install.oauthRestServer', 'string'],
  ['B24BI_PORTALS', 'install.portals', 'list'],
  ['B24BI_PORTAL_HOSTS', 'install.portalHosts', 'list'],
  ['B24BI_PORTAL_HTTP', 'install.portalHttp', 'boolean'],
  ['B24BI_SYNC_TABLES_SOURCE', 'install.syncTables.source.title', 'string'],
  ['B24BI_SYNC_TABLES_SETTINGS', 'install.syncTables.source.settings', 'json'],
  ['B24BI_SYNC_TABLES_PREFIX', 'install.syncTables.prefix', 'string'],
  ['B24BI_APP_CONNECTION', 'install.appConnection', 'json']
])

function read (name: string, text: string, kind: Kind): unknown {
  const trimmed = text.trim()
  switch (kind) {
    case 'string': return trimmed
    case 'list': return trimmed.split(',').map((item) => item.trim()).filter((item) => item !== '')
    case 'number': {
      const number = Number(trimmed)
      if (trimmed === '' || !Number.isFinite(number)) throw new ERR_CONFIG_INVALID(name, `'${text}' is not a number`)
      return number
    }
    case 'boolean': {
      if (/^(1|true|yes|on)$/i.test(trimmed)) return true
      if (/^(0|false|no|off)$/i.test(trimmed)) return false
      throw new ERR_CONFIG_INVALID(name, `'${text}' is not true or false`)
    }
    case 'trust': {
      if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true'
      return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed
    }
    case 'json': {
      try {
        const parsed: unknown = JSON.parse(trimmed)
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object')
        return parsed
      } catch (error) {
        throw new ERR_CONFIG_INVALID(name, 'is not a JSON object', { cause: error })
      }
    }
  }
}

function set (target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let node = target
  for (const key of keys.slice(0, -1)) {
    const next = node[key]
    node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Record<string, unknown>
  }
  const last = keys[keys.length - 1]!
  const current = node[last]
  node[last] = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof current === 'object' && current !== null
    ? { ...current, ...value }
    : value
}

/** The part of the configuration set by env vars (empty values are ignored). A malformed value throws naming the var. */
export function configFromEnv (env: NodeJS.ProcessEnv): Record<string, unknown> {
  const config: Record<string, unknown> = {}
  for (const [name, path, kind] of ENV_VARS) {
    const text = env[name]
    if (text === undefined || text.trim() === '') continue
    set(config, path, read(name, text, kind))
  }
  return config
}

/** True when the JSON text of a 'json' env var holds the key at `rest` (dotted, relative to its setting). */
function holds (text: string, rest: string[]): boolean {
  try {
    let node: unknown = JSON.parse(text)
    for (const key of rest) {
      if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false
      node = (node as Record<string, unknown>)[key]
    }
    return true
  } catch {
    return false
  }
}

/** The env var that set `path` (or a parent of it), for error messages: `logLevel (from LOG_LEVEL)`. */
export function envSource (path: string, env: NodeJS.ProcessEnv): string | undefined {
  let found: string | undefined
  for (const [name, setting, kind] of ENV_VARS) {
    const text = env[name]
    if (text === undefined || text.trim() === '' || !(path === setting || path.startsWith(setting + '.'))) continue
    if (kind === 'json' && path !== setting && !holds(text, path.slice(setting.length + 1).split('.'))) continue
    found = name
  }
  return found
}
