import { ERR_CLI_USAGE } from '../../core/errors.js'
import { adapterConfigSchema } from '../adapter-options.js'
import type { CliIo, Command } from '../command.js'
import { ConfigSchema } from '../config-schema.js'
import { reportErrors } from '../output.js'

const usage = `Usage: b24bi config schema

Prints the JSON Schema of the b24bi serve --config file (draft 2020-12): every setting, its default and, under
"adapter", one variant per adapter type with that adapter's options. An editor can check a config file against it:
  b24bi config schema > b24bi.schema.json      and in the file:  { "$schema": "./b24bi.schema.json", ... }
`

/** In the file every setting with a default may be left out: `required` keeps only the others. */
function optionalDefaults (node: unknown): unknown {
  if (Array.isArray(node)) return node.map(optionalDefaults)
  if (typeof node !== 'object' || node === null) return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) out[key] = optionalDefaults(value)
  const properties = out.properties as Record<string, { default?: unknown }> | undefined
  if (Array.isArray(out.required) && properties !== undefined) {
    out.required = out.required.filter((name: string) => properties[name]?.default === undefined)
    if ((out.required as string[]).length === 0) delete out.required
  }
  return out
}

/** JSON Schema of the config file: the config schema with `adapter` as one variant per adapter type. */
export function configJsonSchema (): Record<string, unknown> {
  const schema = optionalDefaults(JSON.parse(JSON.stringify(ConfigSchema))) as { properties: Record<string, unknown> }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'b24bi serve --config',
    ...schema,
    properties: { $schema: { type: 'string' }, ...schema.properties, adapter: JSON.parse(JSON.stringify(adapterConfigSchema())) }
  }
}

async function run (args: string[], io: CliIo): Promise<number> {
  return await reportErrors(io, 'config', async () => {
    if (args.length !== 1 || args[0] !== 'schema') throw new ERR_CLI_USAGE('give the subcommand: b24bi config schema')
    io.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n')
    return 0
  })
}

/** `b24bi config schema`. */
export const command: Command = { usage, run }
