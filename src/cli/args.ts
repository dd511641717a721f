import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ERR_CLI_USAGE } from '../core/errors.js'

/** The option table of one command, as `node:util` `parseArgs` takes it. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>

/** Parsed flags and positionals. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/** Parses `args` strictly; an unknown or malformed flag is a `B24BI_ERR_CLI_USAGE` error naming it. */
export function parseCommandArgs (args: string[], options: OptionSpec): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true })
    return { values: values as ParsedArgs['values'], positionals }
  } catch (error) {
    throw new ERR_CLI_USAGE((error as Error).message.split('\n')[0] ?? 'invalid arguments', { cause: error })
  }
}

/** A string flag's value, or the env var's, or undefined. */
export function stringFlag (parsed: ParsedArgs, name: string, env?: string): string | undefined {
  const value = parsed.values[name]
  if (typeof value === 'string' && value !== '') return value
  return env !== undefined && env !== '' ? env : undefined
}

/** Like `stringFlag`, but a missing value is a usage error. */
export function requiredFlag (parsed: ParsedArgs, name: string, env?: string, envName?: string): string {
  const value = stringFlag(parsed, name, env)
  if (value === undefined) throw new ERR_CLI_USAGE(`--${name}${envName === undefined ? '' : ` (or ${envName})`} is required`)
  return value
}

/** Repeated `--flag a=b` values as a record; `flag` names the option in errors. */
export function pairs (values: string[] | undefined, flag: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const item of values ?? []) {
    const at = item.indexOf('=')
    if (at <= 0) throw new ERR_CLI_USAGE(`--${flag} expects code=value, got '${item.slice(0, 40)}'`)
    result[item.slice(0, at)] = item.slice(at + 1)
  }
  return result
}

/** A positive integer from a flag or positional. */
export function positiveInteger (value: string | undefined, what: string): number {
  const number = Number(value)
  if (value === undefined || !Number.isInteger(number) || number <= 0) throw new ERR_CLI_USAGE(`${what} must be a positive integer`)
  return number
}

/**
 * Connection settings from `--setting code=value` and `--setting-env code=VAR` (the value read from the
 * environment variable, so a secret stays out of the shell history and the process list).
 */
export function settingValues (parsed: ParsedArgs, env: NodeJS.ProcessEnv): Record<string, string> {
  const values = pairs(parsed.values.setting as string[] | undefined, 'setting')
  for (const [code, variable] of Object.entries(pairs(parsed.values['setting-env'] as string[] | undefined, 'setting-env'))) {
    const value = env[variable]
    if (value === undefined) throw new ERR_CLI_USAGE(`--setting-env ${code}=${variable}: the environment variable ${variable} is not set`)
    values[code] = value
  }
  return values
}
