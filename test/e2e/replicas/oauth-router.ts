import { createServer, type Server } from 'node:http'
import type { FakePortal } from '../../helpers/fake-portal/fake-portal.js'

/**
 * The vendor's OAuth server is one for every portal; each fake portal has its own. This router answers for all
 * of them: it asks each portal's OAuth endpoint and answers with the first 200 (else the last answer).
 */
export class OAuthRouter {
  readonly #portals: FakePortal[]
  #server: Server | undefined
  url = ''

  constructor (portals: FakePortal[]) {
    this.#portals = portals
  }

  /** The token endpoint (`B24BI_OAUTH_SERVER`). */
  get oauthServer (): string { return `${this.url}/oauth/token/` }
  /** The REST endpoint of `app.info` (`B24BI_OAUTH_REST_SERVER`). */
  get oauthRestServer (): string { return `${this.url}/oauth/rest/` }

  async start (): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        void (async () => {
          let last = { status: 404, body: '{"error":"not_found"}' }
          for (const portal of this.#portals) {
            const response = await fetch(portal.url + (req.url ?? '/'), {
              method: req.method,
              headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
              ...(req.method === 'GET' ? {} : { body: Buffer.concat(chunks) })
            })
            last = { status: response.status, body: await response.text() }
            if (response.status === 200) break
          }
          res.writeHead(last.status, { 'content-type': 'application/json' }).end(last.body)
        })()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.#server = server
    this.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  }

  async close (): Promise<void> {
    const server = this.#server
    if (server !== undefined) await new Promise((resolve) => server.close(resolve))
  }
}
