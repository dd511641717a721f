import { ERR_CLI_USAGE, ERR_TABLES_SYNC } from '../../core/errors.js'
import { httpCatalog } from '../../bitrix/connector-catalog.js'
import { getConnector, getSource } from '../../bitrix/portal-sources.js'
import { listPortalTables, syncTables, type TableSyncReport } from '../../bitrix/portal-tables.js'
import { parseCommandArgs, positiveInteger, stringFlag } from '../args.js'
import type { CliIo, Command } from '../command.js'
import { Output, reportErrors } from '../output.js'
import { openPortalSession, PORTAL_OPTIONS, PORTAL_USAGE } from '../portal-session.js'

const usage = `Usage: b24bi tables sync --source ID [--table CODE ...] [--prefix TEXT] [options]
       b24bi tables list [--source ID] [options]

"sync" creates or updates the portal's tables of a source (biconnector.table.*) for the connector's tables,
so nobody has to click them together in BI Builder. It reads the source (biconnector.source.get) and its
connector's URLs (biconnector.connector.get), asks the connector for its tables the way the portal does
(table list and table description, with the source's settings), then for each table: adds it with every
field as a column, or adds the missing columns and hides the ones the connector no longer has (shown again
when they return). Running it again changes nothing. A column's type cannot change in the portal: such a
difference is reported, never applied silently. Table names are unique in the whole portal: use --prefix
when two sources serve the same tables. Needs the application's tokens (table methods refuse webhooks) and
the connector reachable from here at its registered URLs.

"list" shows the portal's tables (every page), of one source with --source.

  --source ID            the source whose tables to sync (or list)
  --table CODE           only this connector table; repeat for more (default: every table)
  --prefix TEXT          prepended to the names of new portal tables (lower case a-z, 0-9, _)

${PORTAL_USAGE}
`

const OPTIONS = {
  ...PORTAL_OPTIONS,
  source: { type: 'string' },
  table: { type: 'string', multiple: true },
  prefix: { type: 'string' }
} as const

function describe (report: TableSyncReport): string {
  const parts: string[] = []
  if (report.added.length > 0) parts.push(`${report.added.length} column${report.added.length === 1 ? '' : 's'} added`)
  if (report.hidden.length > 0) parts.push(`hidden: ${report.hidden.join(', ')}`)
  if (report.shown.length > 0) parts.push(`shown again: ${report.shown.join(', ')}`)
  return parts.length > 0 ? ` (${parts.join('; ')})` : ''
}

function printReports (out: Output, reports: readonly TableSyncReport[]): void {
  for (const report of reports) {
    const mark = report.action === 'unchanged' ? out.paint('dim', '=') : out.paint('green', report.action === 'added' ? '+' : '~')
    out.line(`  ${mark} ${report.name} (#${report.id}, ${report.code}) ${report.action}${describe(report)}`)
    for (const warning of report.warnings) out.error(out.paint('yellow', `warning: ${report.name}: ${warning}`))
  }
}

async function run (args: string[], io: CliIo): Promise<number> {
  return await reportErrors(io, 'tables', async () => {
    const parsed = parseCommandArgs(args, OPTIONS)
    const out = new Output(io, { json: parsed.values.json === true })
    const [action] = parsed.positionals
    if (action !== 'sync' && action !== 'list') throw new ERR_CLI_USAGE('expected sync or list')
    const source = stringFlag(parsed, 'source')
    const sourceId = action === 'sync' || source !== undefined ? positiveInteger(source, '--source') : undefined
    const prefix = stringFlag(parsed, 'prefix')
    if (prefix !== undefined && !/^[a-z][a-z0-9_]*$/.test(prefix)) throw new ERR_CLI_USAGE('--prefix takes lower case a-z, 0-9 and _, a letter first')
    const session = await openPortalSession(parsed, io.env)
    try {
      if (action === 'list') {
        const tables = await listPortalTables(session.client, sourceId)
        out.data(tables)
        if (tables.length === 0) out.line('No tables.')
        else out.table(['ID', 'NAME', 'SOURCE', 'EXTERNAL CODE', 'EXTERNAL NAME'], tables.map((t) => [String(t.id), t.name, String(t.sourceId), t.externalCode, t.externalName]))
        return 0
      }
      const id = sourceId as number
      const spinner = out.spinner(`Reading source #${id} and its connector's tables`)
      let reports: TableSyncReport[]
      const done: TableSyncReport[] = []
      try {
        const found = await getSource(session.client, id)
        const connector = await getConnector(session.client, found.connectorId)
        if (typeof connector.urlTableList !== 'string' || typeof connector.urlTableDescription !== 'string') {
          throw new ERR_TABLES_SYNC(`connector #${connector.id} has no table list or table description URL`)
        }
        const catalog = httpCatalog({ urlTableList: connector.urlTableList, urlTableDescription: connector.urlTableDescription, settings: found.settings })
        reports = await syncTables(session.client, id, catalog, {
          ...(prefix === undefined ? {} : { prefix }),
          ...(parsed.values.table === undefined ? {} : { only: parsed.values.table as string[] }),
          onTable: (report) => {
            done.push(report)
            spinner.update(`Syncing the tables of source #${id}: ${done.length} done`)
          }
        })
      } catch (error) {
        spinner.stop(out.paint('red', `✖ the tables of source #${id} were not all synced${done.length > 0 ? '; done before the failure:' : ''}`))
        printReports(out, done)
        throw error
      }
      spinner.stop(`${out.paint('green', '✔')} source #${id}: ${reports.length} table${reports.length === 1 ? '' : 's'} synced`)
      printReports(out, reports)
      out.data(reports)
      return 0
    } finally {
      await session.close()
    }
  })
}

/** `b24bi tables sync|list`. */
export const command: Command = { usage, run }
