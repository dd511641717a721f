#!/usr/bin/env node
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { CliIo, Command } from './command.js'

/** The commands, loaded only when called so `b24bi --help` never opens a driver. */
const COMMANDS: Record<string, { summary: string, load: () => Promise<{ command: Command }> }> = {
  serve: { summary: 'Run the connector server (the demo when no config is given)', load: async () => await import('./commands/serve.js') },
  register: { summary: 'Register (or update) the connector in a portal', load: async () => await import('./commands/register.js') },
  connectors: { summary: 'List or remove the connectors of this application', load: async () => await import('./commands/connectors.js') },
  sources: { summary: 'Add, update, get, list or remove sources (configured connections)', load: async () => await import('./commands/sources.js') },
  tables: { summary: 'Create or update the portal tables of a source; list them', load: async () => await import('./commands/tables.js') },
  probe: { summary: 'Check a running connector the way the portal does', load: async () => await import('./commands/probe.js') },
  config: { summary: 'Print the JSON Schema of the serve config file (b24bi config schema)', load: async () => await import('./commands/config.js') },
  init: { summary: 'Create a new connector project', load: async () => await import('./commands/init.js') },
  record: { summary: 'Record portal requests and answers through a proxy (NDJSON, secrets redacted)', load: async () => await import('./commands/record.js') },
  replay: { summary: 'Replay a recorded transcript against a connector; list every answer that differs', load: async () => await import('./commands/replay.js') }
}

function help (io: CliIo): number {
  const lines = ['Usage: b24bi <command> [options]', '', 'Commands:']
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${summary}`)
  lines.push('', 'Run b24bi <command> --help for the options of one command.')
  io.stdout.write(lines.join('\n') + '\n')
  return 0
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main (argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return help(io)
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (entry === undefined) {
    io.stderr.write(`b24bi: unknown command '${name}'\n\n`)
    help(io)
    return 2
  }
  const { command } = await entry.load()
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(command.usage.trimEnd() + '\n')
    return 0
  }
  return await command.run(args, io)
}

/** libuv threads when UV_THREADPOOL_SIZE is not set: above the DuckDB reads admitted at once (default 4), with room for fs and dns. */
const UV_THREADS = 16

function invokedDirectly (): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
  } catch {
    return false
  }
}

if (invokedDirectly()) {
  // DuckDB (demo, files) fills each chunk on a libuv thread; with the default 4, a few slow queries would also hold
  // up fs, dns and zlib. Set before the thread pool starts (it reads the variable once); an operator's value wins.
  process.env.UV_THREADPOOL_SIZE ??= String(UV_THREADS)
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
    .then((code) => { if (code !== 0) process.exitCode = code })
    .catch((error: unknown) => {
      const code = (error as { code?: string }).code
      process.stderr.write(`b24bi: ${code !== undefined ? `${code}: ` : ''}${(error as Error).message}\n`)
      process.exitCode = 1
    })
}
