// Where the tests find their real services. Each defaults to the local server CI starts and can be moved with an
// environment variable (read here only, once):
//   B24BI_TEST_POSTGRES_URL    default postgres://postgres@127.0.0.1:5432/test   (trust auth, database `test`)
//   B24BI_TEST_MYSQL_URL       default mysql://root@127.0.0.1:3306/test          (MariaDB, root without a password)
//   B24BI_TEST_REDIS_URL       default redis://127.0.0.1:6379                    (no database number: tests add theirs)
//   B24BI_TEST_CLICKHOUSE_URL  default http://127.0.0.1:8123                     (scripts/clickhouse.sh, user `default`)

/** One database server: its URL and the parts a portal sends as connection settings (strings, as the portal does). */
export interface DatabaseService {
  /** The whole URL, with the database. */
  url: string
  /** The URL without the database (for clients that create databases of their own). */
  server: string
  host: string
  port: string
  user: string
  password: string
  database: string
  /** The connection settings a portal would send for this server: `{ host, port, database, user, password }`. */
  connection: { host: string, port: string, database: string, user: string, password: string }
}

/** A server without users or databases (Redis, ClickHouse's HTTP endpoint): its URL, host and port. */
export interface PlainService {
  url: string
  host: string
  port: string
}

const DEFAULT_PORTS: Record<string, string> = { 'postgres:': '5432', 'mysql:': '3306', 'redis:': '6379', 'http:': '8123' }

// IPv6 hosts come back from URL in brackets; drivers and the portal settings want them bare.
const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1')
const portOf = (url: URL): string => url.port === '' ? DEFAULT_PORTS[url.protocol] ?? '' : url.port

function databaseService (name: string, fallback: string): DatabaseService {
  const url = process.env[name] ?? fallback
  const parsed = new URL(url)
  const database = decodeURIComponent(parsed.pathname.slice(1))
  if (database === '') throw new TypeError(`${name} must name a database (e.g. ${fallback}), not '${url}'`)
  const host = hostOf(parsed)
  const port = portOf(parsed)
  const user = decodeURIComponent(parsed.username)
  const password = decodeURIComponent(parsed.password)
  const credentials = parsed.username === '' ? '' : `${parsed.username}${parsed.password === '' ? '' : `:${parsed.password}`}@`
  const server = `${parsed.protocol}//${credentials}${parsed.host}`
  return { url, server, host, port, user, password, database, connection: { host, port, database, user, password } }
}

function plainService (name: string, fallback: string): PlainService {
  const url = (process.env[name] ?? fallback).replace(/\/+$/, '')
  const parsed = new URL(url)
  return { url, host: hostOf(parsed), port: portOf(parsed) }
}

/** The PostgreSQL server and database the tests use (`B24BI_TEST_POSTGRES_URL`). */
export const POSTGRES = databaseService('B24BI_TEST_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/test')

/** The MariaDB/MySQL server and database the tests use (`B24BI_TEST_MYSQL_URL`). */
export const MYSQL = databaseService('B24BI_TEST_MYSQL_URL', 'mysql://root@127.0.0.1:3306/test')

/** The Redis server the tests use (`B24BI_TEST_REDIS_URL`); pick a database number with `redisUrl`. */
export const REDIS = plainService('B24BI_TEST_REDIS_URL', 'redis://127.0.0.1:6379')

/** The ClickHouse HTTP endpoint the tests use (`B24BI_TEST_CLICKHOUSE_URL`). */
export const CLICKHOUSE = plainService('B24BI_TEST_CLICKHOUSE_URL', 'http://127.0.0.1:8123')

/**
 * The Redis URL with a database number, so tests that flush or scan keep apart.
 * @example redisUrl(11) // 'redis://127.0.0.1:6379/11'
 */
export function redisUrl (database: number): string {
  return `${REDIS.url}/${database}`
}
