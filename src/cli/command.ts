/** Where a command writes; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

/** One `b24bi <name>` command. `run` resolves to the process exit code. */
export interface Command {
  name: string
  /** One line for `b24bi --help`. */
  summary: string
  /** The full `--help` text of the command. */
  usage: string
  run: (args: string[], io: CliIo) => Promise<number>
}
