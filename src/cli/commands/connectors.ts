import { ERR_CLI_USAGE } from '../../core/errors.js'
import { listConnectors } from '../../bitrix/connector-registration.js'
import { parseCommandArgs, positiveInteger } from '../args.js'
import type { CliIo, Command } from '../command.js'
import { Output, reportErrors } from '../output.js'
import { openPortalSession, PORTAL_OPTIONS, PORTAL_USAGE } from '../portal-session.js'

const usage = `Usage: b24bi connectors list [options]
       b24bi connectors remove ID [options]

Lists the connectors this application created on the portal, or deletes one (biconnector.connector.*;
these methods need the application's tokens, not a webhook).

${PORTAL_USAGE}
`

async function run (args: string[], io: CliIo): Promise<number> {
  return await reportErrors(io, 'connectors', async () => {
    const parsed = parseCommandArgs(args, PORTAL_OPTIONS)
    const out = new Output(io, { json: parsed.values.json === true })
    const [action, id] = parsed.positionals
    if (action !== 'list' && action !== 'remove') throw new ERR_CLI_USAGE('expected list or remove')
    const connectorId = action === 'remove' ? positiveInteger(id, 'the connector ID') : 0
    const session = await openPortalSession(parsed, io.env)
    try {
      if (action === 'remove') {
        await session.client.call('biconnector.connector.delete', { id: connectorId })
        out.line(`${out.paint('green', '✔')} connector #${connectorId} removed`)
        out.data({ id: connectorId, removed: true })
        return 0
      }
      const connectors = await listConnectors(session.client)
      out.data(connectors)
      if (connectors.length === 0) out.line('No connectors.')
      else out.table(['ID', 'TITLE', 'URL CHECK'], connectors.map((c) => [String(c.id), c.title, String(c.urlCheck ?? '')]))
      return 0
    } finally {
      await session.close()
    }
  })
}

/** `b24bi connectors list|remove`. */
export const command: Command = { usage, run }
