/** Where a command writes; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

/** One `b24bi <name>` command (its name and one-line summary are its entry in main.ts). `run` resolves to the process exit code. */
export interface Command {
  /** The full `--help` text of the command. */
  usage: string
  run: (args: string[], io: CliIo) => Promise<number>
}
