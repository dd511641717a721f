import { createServer } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Adapter } from '../../../src/core/adapter.js'
import { installPlugin, type InstallPluginOptions } from '../../../plugins/install.js'
import { buildServer, type ServerOptions } from '../../../src/server/build-server.js'
import { MemoryTokenStore } from '../../../src/bitrix/token-store/memory-token-store.js'
import { FakePortal } from '../fake-portal/fake-portal.js'
import { PAGE_TOKEN, PageAdapter } from './page-adapter.js'

/** A free local port (the public URL must be known before the install plugin is registered). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** A portal, and the real server (helmet on) serving PageAdapter with the install flow and the app page, listening. */
export interface PageSetup {
  portal: FakePortal
  app: FastifyInstance
  store: MemoryTokenStore
  base: string
  close: () => Promise<void>
}

/** Starts both (PageAdapter unless `adapter`); `installed` (default true) installs the application as the portal would. */
export async function startPageServer (options: { server?: Partial<ServerOptions>, install?: Partial<InstallPluginOptions>, installed?: boolean, adapter?: Adapter } = {}): Promise<PageSetup> {
  const portal = await FakePortal.start()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const store = new MemoryTokenStore()
  const app = await buildServer({ adapter: options.adapter ?? new PageAdapter(), logger: false, runtime: { deadlineSeconds: 1 }, ...options.server })
  await app.register(installPlugin, {
    tokens: store,
    application: { clientId: portal.clientId, clientSecret: portal.clientSecret, server: portal.oauthServer, restServer: portal.oauthRestServer },
    portals: { allowHosts: ['127.0.0.1'], allowHttp: true }, // the fake portal listens on loopback, over http
    connector: { title: 'Warehouse', publicUrl: base },
    rest: { retryDelayMs: 1 },
    page: { connection: { token: PAGE_TOKEN } },
    ...options.install
  })
  await app.listen({ host: '127.0.0.1', port })
  if (options.installed !== false) {
    const answer = await portal.install(`${base}/bitrix24/install`)
    if (answer.status !== 200) throw new Error(`install failed: ${answer.body}`)
  }
  return {
    portal,
    app,
    store,
    base,
    close: async () => {
      await app.close()
      await portal.close()
    }
  }
}
