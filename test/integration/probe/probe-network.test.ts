import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { networkCause } from '../../../src/probe/network-cause.js'
import { demoServer, TOKEN } from '../../helpers/demo-server.js'
import { runCli } from '../../helpers/cli-harness.js'

/** A self-signed certificate for localhost and 127.0.0.1, made now in a temporary folder. */
function selfSigned (t: Test): { certFile: string, cert: Buffer, key: Buffer } {
  const directory = mkdtempSync(join(tmpdir(), 'b24bi-newcomer-probe-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const certFile = join(directory, 'cert.pem')
  const keyFile = join(directory, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' })
  return { certFile, cert: readFileSync(certFile), key: readFileSync(keyFile) }
}

async function listening<S extends Server | TcpServer> (t: Test, server: S): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections()
    server.close(() => resolve())
  }))
  return (server.address() as { port: number }).port
}

/** A port nothing listens on: bound, then closed. */
async function closedPort (): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

interface Report { ok: boolean, steps: Array<{ name: string, status: number, notRun?: string, violations: Array<{ message: string }> }> }

async function probeJson (args: string[]): Promise<{ code: number, report: Report, stdout: string }> {
  const run = await runCli(['probe', ...args, '--json'])
  return { code: run.code, report: JSON.parse(run.stdout) as Report, stdout: run.stdout }
}

/** The check failed with `cause`, no other call was made, and `fetch failed` is said nowhere. */
function unanswered (t: Test, run: { code: number, report: Report, stdout: string }, cause: RegExp): void {
  t.equal(run.code, 1)
  const [check, rest, ...more] = run.report.steps
  t.match(check, { name: 'check', status: 0 })
  t.match(check!.violations[0]!.message, cause)
  t.match(rest, { name: 'every other call', notRun: /^the connector did not answer the check: / })
  t.equal(more.length, 0, 'no other call was made')
  t.notMatch(run.stdout, /fetch failed/)
}

t.test('a closed port: connection refused, naming the address', async (t) => {
  const port = await closedPort()
  unanswered(t, await probeJson([`http://127.0.0.1:${port}`]),
    new RegExp(`^no answer: connection refused \\(ECONNREFUSED\\): nothing listens on 127\\.0\\.0\\.1:${port}; is the connector running`))
})

t.test('a name that does not resolve: DNS, naming the name', async (t) => {
  unanswered(t, await probeJson(['http://nonexistent.invalid:3000']), /^no answer: DNS: the name 'nonexistent\.invalid' (does not resolve \(ENOTFOUND\)|could not be looked up now \(EAI_AGAIN\))/)
})

t.test('a server that never answers: timeout, naming --timeout', async (t) => {
  const port = await listening(t, createHttpServer(() => {}))
  unanswered(t, await probeJson([`http://127.0.0.1:${port}`, '--timeout', '1']), /^no answer: timeout: no answer within 1 s \(--timeout\)/)
})

t.test('a server that closes every connection: connection closed', async (t) => {
  const port = await listening(t, createTcpServer((socket) => socket.destroy()))
  unanswered(t, await probeJson([`http://127.0.0.1:${port}`]), new RegExp(`^no answer: connection closed by 127\\.0\\.0\\.1:${port} before an answer`))
})

t.test('https:// to a plain HTTP server: TLS, try http://', async (t) => {
  const port = await listening(t, createHttpServer((_request, response) => response.end('plain')))
  unanswered(t, await probeJson([`https://127.0.0.1:${port}`]), /^no answer: TLS: 127\.0\.0\.1:\d+ does not speak HTTPS \(\w+\); is it plain HTTP\? try http:\/\//)
})

t.test('a self-signed certificate: refused naming certificate, --ca and --insecure; passes with --ca, and with --insecure', async (t) => {
  const tls = selfSigned(t)
  const app = await demoServer({ tls: { cert: tls.cert, key: tls.key } })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `https://127.0.0.1:${(app.server.address() as { port: number }).port}`

  unanswered(t, await probeJson([base, '--setting', `token=${TOKEN}`]),
    /^no answer: certificate: the connector's certificate was refused: it is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\); pass the CA that signed it with --ca <file>.*--insecure/)

  const withCa = await probeJson([base, '--setting', `token=${TOKEN}`, '--ca', tls.certFile])
  t.equal(withCa.code, 0, 'with --ca: the whole probe passes')
  t.ok(withCa.report.steps.length > 10, `${withCa.report.steps.length} calls made`)

  const insecure = await probeJson([base, '--setting', `token=${TOKEN}`, '--insecure'])
  t.equal(insecure.code, 0, 'with --insecure: the whole probe passes')

  const named = await probeJson([base.replace('127.0.0.1', 'localhost'), '--setting', `token=${TOKEN}`, '--ca', tls.certFile])
  t.equal(named.code, 0, 'by name too')
})

t.test('--ca must be a readable PEM file', async (t) => {
  t.match(await runCli(['probe', 'https://127.0.0.1:1', '--ca', '/nonexistent/ca.pem']), { code: 2, stderr: /--ca: cannot read '\/nonexistent\/ca\.pem' \(ENOENT\)/ })
  t.match(await runCli(['probe', 'https://127.0.0.1:1', '--ca', new URL(import.meta.url).pathname]), { code: 2, stderr: /holds no PEM certificate/ })
})

t.test('causes that cannot be staged here are named from their codes', async (t) => {
  const url = new URL('https://db.example:8443/api/check')
  const failed = (cause: Record<string, unknown>): Error => new TypeError('fetch failed', { cause: Object.assign(new Error(String(cause.message ?? 'x')), cause) })
  t.match(networkCause(failed({ code: 'CERT_HAS_EXPIRED' }), url), /^certificate: .* it has expired \(CERT_HAS_EXPIRED\)/)
  t.match(networkCause(failed({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), url), /^certificate: .* it is not issued for 'db\.example'/)
  t.match(networkCause(failed({ code: 'EAI_AGAIN' }), url), /^DNS: the name 'db\.example' could not be looked up now/)
  t.match(networkCause(failed({ code: 'UND_ERR_CONNECT_TIMEOUT' }), url), /^timeout: db\.example:8443 did not answer in time \(UND_ERR_CONNECT_TIMEOUT\)/)
  t.match(networkCause(failed({ code: 'EHOSTUNREACH' }), url), /^network: db\.example cannot be reached \(EHOSTUNREACH\)/)
  t.match(networkCause(new TypeError('fetch failed', { cause: new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]) }), new URL('http://h')),
    /^connection refused \(ECONNREFUSED\): nothing listens on h:80/, 'inside an AggregateError (both address families refused)')
  t.equal(networkCause(failed({ message: 'bad port' }), new URL('http://127.0.0.1:1')), 'the port 1 is one fetch never calls (a "bad port" of the Fetch standard); serve the connector on another port')
  t.equal(networkCause(failed({ code: 'ESOMETHING', message: 'odd\nmore' }), url), 'odd (ESOMETHING)', 'anything else: the system\'s own words and code')
})
