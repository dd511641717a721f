import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import type { Setting } from '../../core/adapter.js'
import { ERR_CLI_USAGE } from '../../core/errors.js'
import { connectorFields, registerConnector } from '../../bitrix/connector-registration.js'
import { checkPublicUrl } from '../../bitrix/public-url.js'
import { parseCommandArgs, requiredFlag, stringFlag } from '../args.js'
import type { CliIo, Command } from '../command.js'
import { Output, reportErrors } from '../output.js'
import { openPortalSession, PORTAL_OPTIONS, PORTAL_USAGE } from '../portal-session.js'

const usage = `Usage: b24bi register --title TITLE --public-url URL (--setting code:Name[:STRING|INT] ... | --adapter MODULE) [options]

Registers the connector with biconnector.connector.add, or updates the connector with the same title
(biconnector.connector.update), so running it again is safe. Needs the application's tokens: connector
methods refuse incoming webhooks. Asks biconnector.connector.fields first and sends only the fields this
portal knows; checks the title (512), URLs (2048) and settings (511) lengths before sending; a refusal is
reported with the portal's own code, and nothing is reported as registered unless the portal said so.

Connector:
  --title TITLE          the connector's name in the portal (also how it is found again)
  --public-url URL       where the portal reaches the connector, e.g. https://bi.example.com [B24BI_PUBLIC_URL]
  --setting DEF          a connection setting code:Name[:STRING|INT]; repeat for each
  --adapter MODULE       or read the settings from a module exporting an adapter (default export or "adapter")
  --logo URL             a logo URL or data: URL (default: a small built-in SVG)
  --description TEXT
  --sort N               default 100
  --source-code CODE     the connector's sourceCode (at most 64 characters), sent when the portal knows it
  --no-support-mapping   do not send supportMapping: true (sent by default whenever the portal knows the field:
                         b24bi resolves field names and mapFields for every adapter)
  --allow-private-url    register a loopback or private --public-url anyway (a portal on the same network);
                         refused by default, a portal in the cloud cannot call it

${PORTAL_USAGE}
`

const OPTIONS = {
  ...PORTAL_OPTIONS,
  title: { type: 'string' },
  'public-url': { type: 'string' },
  setting: { type: 'string', multiple: true },
  adapter: { type: 'string' },
  logo: { type: 'string' },
  description: { type: 'string' },
  sort: { type: 'string' },
  'source-code': { type: 'string' },
  'support-mapping': { type: 'boolean' },
  'no-support-mapping': { type: 'boolean' },
  'allow-private-url': { type: 'boolean' }
} as const

/** Parses `code:Name[:TYPE]` setting definitions. */
export function settingDefinitions (definitions: string[]): Setting[] {
  return definitions.map((definition) => {
    const [code = '', name = '', type = 'STRING'] = definition.split(':')
    if (code === '' || !['STRING', 'INT'].includes(type.toUpperCase())) throw new ERR_CLI_USAGE(`--setting expects code:Name[:STRING|INT], got '${definition}'`)
    return { code, name: name === '' ? code : name, type: type.toUpperCase() as Setting['type'] }
  })
}

async function adapterSettings (specifier: string): Promise<Setting[]> {
  const url = specifier.startsWith('.') || specifier.startsWith('/') ? pathToFileURL(resolve(specifier)).href : specifier
  const module = await import(url) as Record<string, unknown>
  let candidate = module.adapter ?? module.default
  if (typeof candidate === 'function') candidate = new (candidate as new () => unknown)()
  const settings = (candidate as { settings?: unknown } | undefined)?.settings
  if (!Array.isArray(settings)) throw new ERR_CLI_USAGE(`'${specifier}' exports no adapter with settings (default export or "adapter")`)
  return settings as Setting[]
}

async function run (args: string[], io: CliIo): Promise<number> {
  return await reportErrors(io, 'register', async () => {
    const parsed = parseCommandArgs(args, OPTIONS)
    const out = new Output(io, { json: parsed.values.json === true })
    const adapter = stringFlag(parsed, 'adapter')
    const definitions = parsed.values.setting as string[] | undefined
    if (adapter === undefined && definitions === undefined) throw new ERR_CLI_USAGE('give the settings with --setting or --adapter')
    const settings = adapter !== undefined ? await adapterSettings(adapter) : settingDefinitions(definitions ?? [])
    const sort = stringFlag(parsed, 'sort')
    const definition = {
      title: requiredFlag(parsed, 'title'),
      publicUrl: requiredFlag(parsed, 'public-url', io.env.B24BI_PUBLIC_URL, 'B24BI_PUBLIC_URL'),
      settings,
      logo: stringFlag(parsed, 'logo'),
      description: stringFlag(parsed, 'description'),
      sort: sort === undefined ? undefined : Number(sort),
      supportMapping: parsed.values['no-support-mapping'] !== true,
      sourceCode: stringFlag(parsed, 'source-code')
    }
    if (definition.sort !== undefined && !Number.isInteger(definition.sort)) throw new ERR_CLI_USAGE('--sort must be an integer')
    connectorFields(definition) // lengths and URL checked before anything is sent
    if (parsed.values['allow-private-url'] !== true) await checkPublicUrl(definition.publicUrl)
    if (!definition.publicUrl.startsWith('https://')) out.error(out.paint('yellow', 'warning: the portal refuses connectors it cannot reach publicly; use an https:// public URL in production'))
    const session = await openPortalSession(parsed, io.env)
    try {
      const spinner = out.spinner(`Registering '${definition.title}'`)
      let registration
      try {
        registration = await registerConnector(session.client, definition)
      } catch (error) {
        spinner.stop(out.paint('red', `✖ registration of '${definition.title}' failed`))
        throw error
      }
      spinner.stop(`${out.paint('green', '✔')} connector #${registration.id} '${definition.title}' ${registration.action}`)
      if (registration.omitted.length > 0) {
        out.error(out.paint('yellow', `warning: this portal does not know ${registration.omitted.join(', ')}; registered without ${registration.omitted.length === 1 ? 'it' : 'them'}`))
      }
      const { omitted, ...done } = registration
      out.data({ ...done, title: definition.title, ...(omitted.length > 0 ? { omitted } : {}) })
      return 0
    } finally {
      await session.close()
    }
  })
}

/** `b24bi register`. */
export const command: Command = { usage, run }
