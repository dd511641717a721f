import { request, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/** One backend of the balancer and what its health checks found. */
interface Backend {
  port: number
  up: boolean
  passes: number
  fails: number
}

/**
 * A round-robin HTTP balancer on loopback, the way HAProxy is set up in front of replicas: a health check on
 * `/ready` every `checkMs` (down after 2 failures, up after 2 passes), a request whose connection is refused is
 * sent to the next backend (nothing was sent yet), and an answer cut upstream is cut downstream (never completed).
 * Every request opens a new upstream connection, so none lands on a socket a stopping replica already closed.
 */
export class Balancer {
  readonly #backends: Backend[] = []
  readonly #timer: NodeJS.Timeout
  #next = 0
  #server: Server | undefined
  port = 0
  /** Requests answered per backend port. */
  readonly served = new Map<number, number>()

  constructor (readonly checkMs = 100) {
    this.#timer = setInterval(() => { void this.#check() }, checkMs)
  }

  /** Adds a backend, up at once (its /ready was seen 200 by the caller). */
  add (port: number): void {
    this.#backends.push({ port, up: true, passes: 2, fails: 0 })
  }

  /** Removes a backend (after its process exited). */
  remove (port: number): void {
    const index = this.#backends.findIndex((backend) => backend.port === port)
    if (index >= 0) this.#backends.splice(index, 1)
  }

  /** True when the health checks count `port` in service. */
  isUp (port: number): boolean {
    return this.#backends.some((backend) => backend.port === port && backend.up)
  }

  async start (): Promise<number> {
    const server = createServer((req, res) => { void this.#forward(req, res) })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.#server = server
    this.port = (server.address() as { port: number }).port
    return this.port
  }

  async close (): Promise<void> {
    clearInterval(this.#timer)
    const server = this.#server
    server?.closeAllConnections()
    if (server !== undefined) await new Promise((resolve) => server.close(resolve))
  }

  async #check (): Promise<void> {
    await Promise.all(this.#backends.map(async (backend) => {
      const ok = await fetch(`http://127.0.0.1:${backend.port}/ready`, { signal: AbortSignal.timeout(1000) })
        .then(async (response) => { await response.arrayBuffer(); return response.status === 200 }, () => false)
      if (ok) {
        backend.fails = 0
        if (++backend.passes >= 2) backend.up = true
      } else {
        backend.passes = 0
        if (++backend.fails >= 2) backend.up = false
      }
    }))
  }

  #pick (tried: Set<number>): Backend | undefined {
    const candidates = this.#backends.filter((backend) => backend.up && !tried.has(backend.port))
    if (candidates.length === 0) return undefined
    return candidates[this.#next++ % candidates.length]
  }

  async #forward (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const tried = new Set<number>()
    while (true) {
      const backend = this.#pick(tried)
      if (backend === undefined) {
        res.writeHead(503, { 'content-type': 'text/plain', 'x-balancer': 'no backend' }).end('no backend')
        return
      }
      tried.add(backend.port)
      const refused = await this.#send(backend.port, req, body, res)
      if (!refused) return
    }
  }

  /** Resolves true when the connection was refused (nothing sent: try another backend). */
  async #send (port: number, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<boolean> {
    return await new Promise((resolve) => {
      const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: { ...req.headers, connection: 'close' }, agent: false }, (answer) => {
        this.served.set(port, (this.served.get(port) ?? 0) + 1)
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-replica': String(port) })
        answer.pipe(res)
        // An answer cut upstream (the replica died) is cut downstream: the client sees a broken transfer.
        answer.on('aborted', () => res.destroy())
        answer.on('error', () => res.destroy())
        answer.on('close', () => { if (!answer.complete) res.destroy() })
        resolve(false)
      })
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED') resolve(true)
        else {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', 'x-balancer': error.code ?? 'error' }).end('upstream failed')
          else res.destroy()
          resolve(false)
        }
      })
      upstream.end(body)
    })
  }
}
