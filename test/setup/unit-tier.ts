// What a unit test may not do, checked while it runs. .taprc loads this module into every test process; it acts
// only in a file under test/unit/. A socket to a service the tests use (PostgreSQL, MariaDB, Redis, ClickHouse),
// a socket to any host but this machine's loopback, and a child process are refused where they are asked for and
// fail the file at exit, even when the caller swallowed the error: such a test belongs in test/integration/ or
// test/e2e/ (CONTRIBUTING.md, Test tiers). A unit test's own servers on loopback ports are fine.
import childProcess from 'node:child_process'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import { relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLICKHOUSE, MYSQL, POSTGRES, REDIS } from '../helpers/services.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The services' ports (test/helpers/services.ts) and ClickHouse's native one; any host off this machine is refused anyway. */
const SERVICES = new Map<string, string>([
  [POSTGRES.port, 'PostgreSQL'], [MYSQL.port, 'MariaDB'], [REDIS.port, 'Redis'], [CLICKHOUSE.port, 'ClickHouse'],
  ['9000', 'ClickHouse (native protocol)']
])

/** Refusals so far, in this process; `unitTier.take()` hands them to a test that provoked them on purpose. */
const refused: Error[] = []

/** The module's state, for the test that proves the guard (test/unit/project/tiers.test.ts). */
export const unitTier = {
  /** Whether this process is a unit test file, so the guard is on. */
  active: false,
  /** The refusals so far, cleared: a test that provoked one on purpose takes it so the file does not fail. */
  take (): Error[] {
    return refused.splice(0)
  }
}

function refuse (what: string): never {
  const error = Object.assign(new Error(`a unit test ${what}: move the test to test/integration/ or test/e2e/ (CONTRIBUTING.md, Test tiers)`), { code: 'B24BI_TEST_UNIT_TIER' })
  refused.push(error)
  throw error
}

function isLoopback (host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare)
}

function checkAddress (host: string, port: unknown): void {
  if (!isLoopback(host)) refuse(`opened a socket to ${host}:${String(port)}, off this machine`)
  const service = SERVICES.get(String(port))
  if (service !== undefined) refuse(`opened a socket to ${host}:${String(port)}, the ${service} tests use`)
}

type Lookup = (host: string, options: unknown, callback: (error: Error | null, address: unknown, family?: number) => void) => void

/** net.Socket#connect's arguments as one options object (connect(options), connect(port, host), connect(path)). */
function connectOptions (args: unknown[]): Record<string, unknown> {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (typeof first === 'object' && first !== null) return first as Record<string, unknown>
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first }
  return { port: first, host: typeof args[1] === 'string' ? args[1] : undefined }
}

function guard (): void {
  const connect = net.Socket.prototype.connect
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const options = connectOptions(args)
    if (typeof options.path === 'string') {
      if (/PGSQL|mysql|redis|clickhouse/i.test(options.path)) refuse(`opened a socket to ${options.path}, a database's`)
    } else {
      const host = typeof options.host === 'string' && options.host !== '' ? options.host : 'localhost'
      const lookup = options.lookup as Lookup | undefined
      if (typeof lookup === 'function' && !isLoopback(host)) {
        // The caller resolves the name itself (a test's stand-in DNS): check where it says the name is.
        options.lookup = (name: string, lookupOptions: unknown, callback: Parameters<Lookup>[2]) => lookup(name, lookupOptions, (error, address, family) => {
          if (error === null) {
            const addresses = Array.isArray(address) ? address.map((entry: { address: string }) => entry.address) : [String(address)]
            try {
              for (const each of addresses) checkAddress(each, options.port)
            } catch (refusal) {
              callback(refusal as Error, address, family)
              return
            }
          }
          callback(error, address, family)
        })
      } else {
        checkAddress(host, options.port)
      }
    }
    return (connect as (...args: unknown[]) => net.Socket).apply(this, args)
  } as typeof net.Socket.prototype.connect

  const methods = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const
  const processes = childProcess as unknown as Record<string, unknown>
  for (const method of methods) {
    processes[method] = (command: unknown) => refuse(`started a child process (${method} ${String(command)})`)
  }
  syncBuiltinESMExports()

  process.on('exit', () => {
    if (refused.length === 0) return
    for (const error of refused) process.stderr.write(`${error.message}\n`)
    process.exitCode = 1
  })
}

const file = process.argv[1]
if (file !== undefined && relative(ROOT, file).startsWith(`test${sep}unit${sep}`)) {
  unitTier.active = true
  guard()
}
