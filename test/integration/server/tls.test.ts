import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { demoServer, TOKEN } from '../../helpers/demo-server.js'

function selfSigned (): { cert: Buffer, key: Buffer } {
  const directory = mkdtempSync(join(tmpdir(), 'b24bi-tls-'))
  const cert = join(directory, 'cert.pem')
  const key = join(directory, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' })
  return { cert: readFileSync(cert), key: readFileSync(key) }
}

async function post (port: number, ca: Buffer | undefined, path: string, body: string): Promise<{ status: number, body: string, protocol: string }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let text = ''
      const protocol = (res.socket as { getProtocol?: () => string | null }).getProtocol?.() ?? ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, protocol }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

t.test('with a cert and key the server terminates HTTPS itself', async (t) => {
  const tls = selfSigned()
  const app = await demoServer({ tls })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const answer = await post(port, tls.cert, '/api/data', `connection[token]=${TOKEN}&table=deals&limit=3`)
  t.equal(answer.status, 200)
  t.equal((JSON.parse(answer.body) as unknown[]).length, 4)
  t.match(answer.protocol, /^TLSv1\.[23]$/)
  await t.rejects(post(port, undefined, '/api/check', ''), 'a client that does not trust the cert fails the handshake')
})
