import { ERR_CLI_USAGE } from '../../core/errors.js'
import { getSource, type PortalSource } from '../../bitrix/portal-sources.js'
import type { RestClient } from '../../bitrix/rest-client.js'
import { parseCommandArgs, settingValues, positiveInteger, requiredFlag, stringFlag, type ParsedArgs } from '../args.js'
import type { CliIo, Command } from '../command.js'
import { Output, reportErrors } from '../output.js'
import { openPortalSession, PORTAL_OPTIONS, PORTAL_USAGE } from '../portal-session.js'

const usage = `Usage: b24bi sources add --connector ID --title TITLE [--setting code=value | --setting-env code=VAR ...]
                         [--description TEXT] [--inactive]
       b24bi sources update ID [--title TITLE] [--description TEXT] [--active | --inactive]
                         [--setting code=value | --setting-env code=VAR ...]
       b24bi sources get ID [options]
       b24bi sources list [options]
       b24bi sources remove ID [options]

Manages sources (biconnector.source.*): one configured connection of a connector. On "add" the portal
calls the connector's urlCheck with the settings; a failing check is reported as SOURCE_CREATE_CONNECTION_ERROR.
"update" changes only what is given; given settings are merged into the source's current ones (read with
biconnector.source.get) and checked by the portal again (SOURCE_UPDATE_CONNECTION_ERROR when the check fails).
"get" prints the source with its setting codes, values masked.
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
  active: { type: 'boolean' },
  inactive: { type: 'boolean' }
} as const

const ACTIONS = ['add', 'update', 'get', 'list', 'remove']

/** The fields of `source.update`: only what the flags give; settings merged into the current ones. */
async function updateFields (client: RestClient, id: number, parsed: ParsedArgs, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  if (parsed.values.active === true && parsed.values.inactive === true) throw new ERR_CLI_USAGE('give --active or --inactive, not both')
  const title = stringFlag(parsed, 'title')
  const description = parsed.values.description
  const settings = settingValues(parsed, env)
  const fields: Record<string, unknown> = {
    ...(title === undefined ? {} : { title }),
    ...(typeof description === 'string' ? { description } : {}),
    ...(parsed.values.active === true ? { active: true } : parsed.values.inactive === true ? { active: false } : {})
  }
  if (Object.keys(settings).length > 0) fields.settings = { ...(await getSource(client, id)).settings, ...settings }
  if (Object.keys(fields).length === 0) throw new ERR_CLI_USAGE('nothing to update: give --title, --description, --active, --inactive or --setting')
  return fields
}

function masked (source: PortalSource): PortalSource {
  return { ...source, settings: Object.fromEntries(Object.keys(source.settings).map((code) => [code, '***'])) }
}

async function run (args: string[], io: CliIo): Promise<number> {
  return await reportErrors(io, 'sources', async () => {
    const parsed = parseCommandArgs(args, OPTIONS)
    const out = new Output(io, { json: parsed.values.json === true })
    const [action = '', id] = parsed.positionals
    if (!ACTIONS.includes(action)) throw new ERR_CLI_USAGE('expected add, update, get, list or remove')
    const fields = action === 'add'
      ? {
          title: requiredFlag(parsed, 'title'),
          description: stringFlag(parsed, 'description') ?? '',
          active: parsed.values.inactive !== true,
          connectorId: positiveInteger(stringFlag(parsed, 'connector'), '--connector'),
          settings: settingValues(parsed, io.env)
        }
      : undefined
    const sourceId = ['update', 'get', 'remove'].includes(action) ? positiveInteger(id, 'the source ID') : 0
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
      if (action === 'update') {
        const changes = await updateFields(session.client, sourceId, parsed, io.env)
        await session.client.call('biconnector.source.update', { id: sourceId, fields: changes })
        out.line(`${out.paint('green', '✔')} source #${sourceId} updated (${Object.keys(changes).join(', ')})`)
        out.data({ id: sourceId, updated: Object.keys(changes) })
        return 0
      }
      if (action === 'get') {
        const source = masked(await getSource(session.client, sourceId))
        out.data(source)
        out.table(['ID', 'TITLE', 'CONNECTOR', 'ACTIVE', 'SETTINGS'], [[String(source.id), source.title, String(source.connectorId), String(source.active), Object.keys(source.settings).join(', ')]])
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

/** `b24bi sources add|update|get|list|remove`. */
export const command: Command = { usage, run }
