import { ERR_CLI_USAGE } from '../../errors.js'
import { parseCommandArgs, settingValues, positiveInteger, requiredFlag, stringFlag } from '../args.js'
import type { CliIo, Command } from '../command.js'
import { Output, reportErrors } from '../output.js'
import { openPortalSession, PORTAL_OPTIONS, PORTAL_USAGE } from '../portal-session.js'

const usage = `Usage: b24bi sources add --connector ID --title TITLE [--setting code=value | --setting-env code=VAR ...]
                         [--description TEXT] [--inactive]
       b24bi sources list [options]
       b24bi sources remove ID [options]

Manages sources (biconnector.source.*): one configured connection of a connector. On "add" the portal
calls the connector's urlCheck with the settings; a failing check is reported as SOURCE_CREATE_CONNECTION_ERROR.
Setting values are secrets: give them with --setting-env code=VAR (read from the environment variable VAR)
rather than --setting code=value, which shows in the shell history and the process list.

${PORTAL_USAGE}
`

const OPTIONS = {
  ...PORTAL_OPTIONS,
  connector: { type: 'string' },
  title: { type: 'string' },
  description: { type: 'string' },
  setting: { type: 'string', multiple: true },
  'setting-env': { type: 'string', multiple: true },
  inactive: { type: 'boolean' }
} as const

async function run (args: string[], io: CliIo): Promise<number> {
  return await reportErrors(io, 'sources', async () => {
    const parsed = parseCommandArgs(args, OPTIONS)
    const out = new Output(io, { json: parsed.values.json === true })
    const [action, id] = parsed.positionals
    if (action !== 'add' && action !== 'list' && action !== 'remove') throw new ERR_CLI_USAGE('expected add, list or remove')
    const fields = action === 'add'
      ? {
          title: requiredFlag(parsed, 'title'),
          description: stringFlag(parsed, 'description') ?? '',
          active: parsed.values.inactive !== true,
          connectorId: positiveInteger(stringFlag(parsed, 'connector'), '--connector'),
          settings: settingValues(parsed, io.env)
        }
      : undefined
    const sourceId = action === 'remove' ? positiveInteger(id, 'the source ID') : 0
    const session = await openPortalSession(parsed, io.env)
    try {
      if (fields !== undefined) {
        const spinner = out.spinner(`Creating source '${fields.title}' (the portal checks the connection)`)
        try {
          const { id: created } = await session.client.call<{ id: number | string }>('biconnector.source.add', { fields })
          spinner.stop(`${out.paint('green', '✔')} source #${created} '${fields.title}' created; the connection check passed`)
          out.data({ id: Number(created), title: fields.title, connectorId: fields.connectorId })
        } catch (error) {
          spinner.stop(out.paint('red', `✖ source '${fields.title}' was not created`))
          throw error
        }
        return 0
      }
      if (action === 'remove') {
        await session.client.call('biconnector.source.delete', { id: sourceId })
        out.line(`${out.paint('green', '✔')} source #${sourceId} removed`)
        out.data({ id: sourceId, removed: true })
        return 0
      }
      const sources = (await session.client.list<Record<string, unknown>>('biconnector.source.list'))
        .map(({ settings: _secret, ...source }): Record<string, unknown> => ({ ...source, id: Number(source.id) }))
      out.data(sources)
      if (sources.length === 0) out.line('No sources.')
      else out.table(['ID', 'TITLE', 'CONNECTOR', 'ACTIVE'], sources.map((s) => [String(s.id), String(s.title ?? ''), String(s.connectorId ?? ''), String(s.active ?? '')]))
      return 0
    } finally {
      await session.close()
    }
  })
}

/** `b24bi sources add|list|remove`. */
export const command: Command = { name: 'sources', summary: 'Add, list or remove sources (configured connections)', usage, run }
