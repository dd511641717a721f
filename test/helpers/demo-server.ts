import qs from 'qs'
import type { FastifyInstance } from 'fastify'
import { createDemoAdapter } from '../../src/cli/demo.js'
import { buildServer, type ServerOptions } from '../../src/server/index.js'

export const TOKEN = 'test-token-9f3c'

/** A fresh demo server (not listening) for inject(). */
export async function demoServer (options: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  const adapter = await createDemoAdapter({ token: TOKEN })
  return await buildServer({ adapter, logger: false, ...options })
}

/** Encodes a body as the portal does: PHP bracket notation, form-urlencoded. */
export function form (body: Record<string, unknown>): { payload: string, headers: Record<string, string> } {
  return {
    payload: qs.stringify(body, { arrayFormat: 'indices' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }
  }
}
