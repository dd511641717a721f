import { PassThrough } from 'node:stream'
import { main } from '../../src/cli/main.js'

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

function capture (tty: boolean): PassThrough & { isTTY?: boolean, text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean, text: () => string }
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  stream.isTTY = tty
  stream.text = () => Buffer.concat(chunks).toString('utf8')
  return stream
}

/** Runs `b24bi <argv>` in-process with captured output; `tty` pretends stdout is a terminal. */
export async function runCli (argv: string[], env: NodeJS.ProcessEnv = {}, options: { tty?: boolean } = {}): Promise<CliRun> {
  const stdout = capture(options.tty ?? false)
  const stderr = capture(false)
  const code = await main(argv, { stdout, stderr, env })
  await new Promise((resolve) => setImmediate(resolve))
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}
