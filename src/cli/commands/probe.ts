import { readFileSync } from 'node:fs'
import { ERR_CLI_USAGE } from '../../core/errors.js'
import { parseCommandArgs, positiveInteger, settingValues, stringFlag } from '../args.js'
import type { CliIo, Command } from '../command.js'
import { Output, reportErrors } from '../output.js'
import { printProbeReport } from '../probe-report.js'
import { portalDateFormat as readPortalDateFormat } from '../../probe/portal-date.js'
import { probe } from '../../probe/probe-run.js'

const usage = `Usage: b24bi probe BASE_URL [--setting code=value ...] [options]

Plays the Bitrix24 portal against a running connector, without a portal: sends form-encoded bodies exactly
as the portal does and checks every answer the way the portal does.

Calls: check (and check with wrong settings), table list (without and with a search string), every table's
description, a preview (limit 20, no select, as the portal), data with a select subset, a filter and a limit,
and filters shaped as the portal builds them: a dimension filter alone (filter[0][LOGIC]=OR&filter[0][0][=F][0]=v),
a date range in the portal's date format (the end at 23:59:59, even on a date field), a negated comparison with a
list (filter[0][0][!>F][0]=v); the rows they answer must match them.
Checks: HTTP 200; a non-empty check answer; {code, title} and {code, name, type} non-empty; types among
int, string, double, date, datetime, money (any case); dataset field names (warning); the header in select order;
no more rows than the limit; every value of its declared type and format (Y-m-d, Y-m-d H:i:s, numbers, null;
ints within PHP's signed 64 bits). Every answer is read whole and timed (request to last byte, and its body):
one over 55 s fails (the portal stops a transfer at 60 s). A step whose prerequisite failed is listed as not run.
A call with no answer names the cause: certificate, connection refused, DNS, timeout, connection closed; when the
check gets no answer, the other calls are not made. Exits 1 when the portal would reject any answer.

Options:
  --setting code=value     a connection setting; repeat for each
  --setting-env code=VAR   a connection setting read from the environment variable VAR (keeps secrets out of ps)
  --preview-limit N        rows asked for in the preview (default 20, as the portal)
  --datetime-format F      answers' datetimes: 'Y-m-d H:i:s' (default) or iso
  --portal-date-format F   the portal's date format its date filters are written in, as the connector's
                           portalDateFormat setting: 'DD.MM.YYYY HH:MI:SS' (default), 'MM/DD/YYYY H:MI:SS T', ...
  --timeout S              seconds to wait for each answer to start (default 250, as the portal); its body
                           then has 60 s
  --ca FILE                PEM certificate(s) of the CA that signed an https:// connector's certificate (a
                           private CA or a self-signed certificate), trusted beside the usual roots
  --insecure               skip the certificate check of an https:// connector (for a test only)
  --json                   print the report as JSON
`

const OPTIONS = {
  setting: { type: 'string', multiple: true },
  'setting-env': { type: 'string', multiple: true },
  'preview-limit': { type: 'string' },
  'datetime-format': { type: 'string' },
  'portal-date-format': { type: 'string' },
  timeout: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  json: { type: 'boolean' }
} as const

/** The PEM text of `--ca`, checked before any call: a file that cannot be read or holds no certificate is a usage error. */
function readCa (file: string | undefined): string | undefined {
  if (file === undefined) return undefined
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ERR_CLI_USAGE(`--ca: cannot read '${file}' (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new ERR_CLI_USAGE(`--ca: '${file}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)`)
  return text
}

async function run (args: string[], io: CliIo): Promise<number> {
  return await reportErrors(io, 'probe', async () => {
    const parsed = parseCommandArgs(args, OPTIONS)
    const out = new Output(io, { json: parsed.values.json === true })
    const [baseUrl, extra] = parsed.positionals
    if (baseUrl === undefined || extra !== undefined || !/^https?:\/\//.test(baseUrl)) throw new ERR_CLI_USAGE('give the connector\'s base URL, e.g. http://localhost:3000')
    const datetime = stringFlag(parsed, 'datetime-format') ?? 'Y-m-d H:i:s'
    if (datetime !== 'Y-m-d H:i:s' && datetime !== 'iso') throw new ERR_CLI_USAGE("--datetime-format must be 'Y-m-d H:i:s' or iso")
    const previewLimit = stringFlag(parsed, 'preview-limit')
    const timeout = stringFlag(parsed, 'timeout')
    const portalDateFormat = stringFlag(parsed, 'portal-date-format')
    if (portalDateFormat !== undefined) readPortalDateFormat(portalDateFormat) // a wrong one is a usage error before any call
    const ca = readCa(stringFlag(parsed, 'ca'))
    const spinner = out.tty ? out.spinner('probing') : undefined
    let report
    try {
      report = await probe({
        baseUrl,
        settings: settingValues(parsed, io.env),
        datetime,
        onStep: (name) => spinner?.update(`probing: ${name}`),
        ...(previewLimit === undefined ? {} : { previewLimit: positiveInteger(previewLimit, '--preview-limit') }),
        ...(portalDateFormat === undefined ? {} : { portalDateFormat }),
        ...(ca === undefined ? {} : { ca }),
        ...(parsed.values.insecure === true ? { insecure: true } : {}),
        ...(timeout === undefined ? {} : { timeoutMs: positiveInteger(timeout, '--timeout') * 1000 })
      })
    } finally {
      spinner?.stop(out.paint('dim', `probe of ${baseUrl} finished`))
    }
    out.data(report)
    if (!out.json) printProbeReport(out, report)
    return report.ok ? 0 : 1
  })
}

/** `b24bi probe`. */
export const command: Command = { usage, run }
