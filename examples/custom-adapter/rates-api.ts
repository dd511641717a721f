import Fastify, { type FastifyInstance } from 'fastify'

/** The key the local rates API accepts in `x-api-key`. */
export const RATES_API_KEY = 'rates-demo-key-71f0a9'

const CURRENCIES: Record<string, number> = { USD: 1.0834, GBP: 0.8521, JPY: 162.37, CHF: 0.9412, PLN: 4.3178 }

/** A local stand-in for a public exchange-rates API: 90 days of rates for five currencies, key required. */
export async function startRatesApi (): Promise<{ url: string, app: FastifyInstance }> {
  const app = Fastify({ logger: false })
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-api-key'] !== RATES_API_KEY) await reply.code(401).send({ error: 'invalid key' })
  })
  app.get('/latest', async () => ({ base: 'EUR', date: '2026-03-31', rates: CURRENCIES }))
  app.get('/timeseries', async () => {
    const rates: Record<string, Record<string, number>> = {}
    for (let day = 0; day < 90; day++) {
      const date = new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10)
      rates[date] = Object.fromEntries(Object.entries(CURRENCIES).map(([code, rate], index) =>
        [code, Number((rate * (1 + Math.sin(day / 7 + index) / 50)).toFixed(4))]))
    }
    return { base: 'EUR', rates }
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, app }
}
