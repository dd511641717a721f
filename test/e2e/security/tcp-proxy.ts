import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy on loopback that can be stopped (every connection cut) and started again on the same port. It counts
 * the connections it accepted and keeps what clients sent, for tests that count connections or requests.
 */
export class TcpProxy {
  readonly #target: { host: string, port: number }
  readonly #sockets = new Set<Socket>()
  #server: Server | undefined
  port = 0
  /** Connections accepted so far. */
  connections = 0
  /** Everything clients sent so far, as latin1 text. */
  sent = ''

  constructor (target: { host: string, port: number }) {
    this.#target = target
  }

  /** Listens (on the same port as before after a stop). */
  async start (): Promise<number> {
    const server = createServer((client) => {
      this.connections++
      client.on('data', (chunk: Buffer) => { this.sent += chunk.toString('latin1') })
      const upstream = connect(this.#target.port, this.#target.host)
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket)
        socket.once('close', () => this.#sockets.delete(socket))
        socket.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.#server = server
    const address = server.address()
    this.port = typeof address === 'object' && address !== null ? address.port : 0
    return this.port
  }

  /** Refuses new connections and cuts every open one, like a database that went away. */
  async stop (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const socket of this.#sockets) socket.destroy()
    if (server !== undefined) await new Promise((resolve) => server.close(resolve))
  }
}
