import closeWithGrace from 'close-with-grace'
import type { Command, CliIo } from '../command.js'
import { createDemoAdapter, DEMO_TOKEN } from '../demo.js'
import { buildServer } from '../server.js'
import { DEFAULT_PATHS } from '../../../plugins/connector.js'

const usage = `Usage: b24bi serve

Runs the connector. Without a config it serves the embedded demo data set.

Environment:
  PORT               port to listen on (default 3000)
  HOST               address to listen on (default 0.0.0.0)
  LOG_LEVEL          pino level (default info)
  CONNECTOR_TOKEN    the demo's access token (default "demo", with a warning)
  B24BI_DEADLINE_S   seconds an urlData answer may take (default 240)
  B24BI_TIME_ZONE    zone for zone-aware datetimes and filter values (default UTC)
`

function banner (base: string, token: string, tokenFromEnv: boolean): string {
  const lines = [
    '',
    'b24bi demo connector is running. Register these URLs in Bitrix24 (biconnector.connector.add):',
    `  urlCheck             ${base}${DEFAULT_PATHS.check}`,
    `  urlTableList         ${base}${DEFAULT_PATHS.tableList}`,
    `  urlTableDescription  ${base}${DEFAULT_PATHS.tableDescription}`,
    `  urlData              ${base}${DEFAULT_PATHS.data}`,
    `Setting: code "token", value ${tokenFromEnv ? 'from CONNECTOR_TOKEN' : `"${token}"`}`,
    `Try it:  curl -s ${base}${DEFAULT_PATHS.tableList} -d 'connection[token]=${tokenFromEnv ? '<your token>' : token}'`,
    ''
  ]
  return lines.join('\n')
}

async function run (_args: string[], io: CliIo): Promise<number> {
  const { env } = io
  const tokenFromEnv = env.CONNECTOR_TOKEN !== undefined && env.CONNECTOR_TOKEN !== ''
  const token = tokenFromEnv ? env.CONNECTOR_TOKEN! : DEMO_TOKEN
  const adapter = await createDemoAdapter({ token })
  const fastify = await buildServer({
    adapter,
    logger: { level: env.LOG_LEVEL ?? 'info' },
    runtime: {
      deadlineSeconds: env.B24BI_DEADLINE_S !== undefined ? Number(env.B24BI_DEADLINE_S) : undefined,
      timeZone: env.B24BI_TIME_ZONE
    }
  })
  if (!tokenFromEnv) {
    fastify.log.warn(`CONNECTOR_TOKEN is not set: the demo accepts the public token "${DEMO_TOKEN}". Set CONNECTOR_TOKEN before exposing this server.`)
  }
  const port = Number(env.PORT ?? 3000)
  const host = env.HOST ?? '0.0.0.0'
  closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
    if (err !== undefined) fastify.log.error({ err }, 'shutting down after an error')
    else fastify.log.info({ signal }, 'shutting down: finishing in-flight answers')
    await fastify.close()
  })
  await fastify.listen({ port, host })
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host
  io.stdout.write(banner(`http://${shown}:${port}`, token, tokenFromEnv) + '\n')
  return 0
}

export const command: Command = { name: 'serve', summary: 'Run the connector server (the demo when no config is given)', usage, run }
