import { styleText } from 'node:util'
import type { CliIo } from './command.js'

/** A colour name of `Output.paint`. */
export type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/** A running spinner; `update` changes its text, `stop` replaces it with a final line. */
export interface Spinner {
  update: (text: string) => void
  stop: (line: string) => void
}

/**
 * How a command prints: colour and a spinner only when stdout is a TTY (and `NO_COLOR` is unset),
 * plain lines otherwise, and `--json` output for scripts.
 */
export class Output {
  readonly json: boolean
  readonly tty: boolean
  readonly #io: CliIo

  constructor (io: CliIo, options: { json?: boolean } = {}) {
    this.#io = io
    this.json = options.json ?? false
    this.tty = io.stdout.isTTY === true && !this.json && (io.env.NO_COLOR ?? '') === ''
  }

  /** `text` in `colour` on a TTY, plain otherwise. */
  paint (colour: Colour, text: string): string {
    // Whether to colour is decided once above (the io may not be process.stdout), so styleText need not check a stream.
    return this.tty ? styleText(colour, text, { validateStream: false }) : text
  }

  /** Writes one line to stdout (nothing in JSON mode). */
  line (text = ''): void {
    if (!this.json) this.#io.stdout.write(text + '\n')
  }

  /** Writes one line to stderr. */
  error (text: string): void {
    this.#io.stderr.write(text + '\n')
  }

  /** Writes `value` as JSON (JSON mode only). */
  data (value: unknown): void {
    if (this.json) this.#io.stdout.write(JSON.stringify(value, null, 2) + '\n')
  }

  /** A spinner while `text` runs, on a TTY only; elsewhere nothing until `stop`. */
  spinner (text: string): Spinner {
    if (!this.tty) return { update: () => {}, stop: (line) => this.line(line) }
    let frame = 0
    let current = text
    const draw = (): void => { this.#io.stdout.write(`\r\u001b[2K${this.paint('cyan', FRAMES[frame++ % FRAMES.length] ?? '')} ${current}`) }
    draw()
    const timer = setInterval(draw, 80)
    return {
      update: (next) => {
        current = next
        draw()
      },
      stop: (line) => {
        clearInterval(timer)
        this.#io.stdout.write('\r\u001b[2K' + line + '\n')
      }
    }
  }

  /** A left-aligned table with a header (plain text; columns padded to the widest cell). */
  table (header: string[], rows: string[][]): void {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
    const format = (row: string[]): string => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()
    this.line(this.paint('bold', format(header)))
    for (const row of rows) this.line(format(row))
  }
}

/**
 * Runs a command body and turns a thrown error into a message on stderr and an exit code:
 * 2 for usage mistakes, 1 for everything else. Secrets never reach the message (coded errors do not hold them).
 */
export async function reportErrors (io: CliIo, name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (error) {
    const code = (error as { code?: unknown }).code
    io.stderr.write(`b24bi ${name}: ${(error as Error).message}${typeof code === 'string' && code !== 'B24BI_ERR_CLI_USAGE' ? ` [${code}]` : ''}\n`)
    if (code === 'B24BI_ERR_CLI_USAGE') io.stderr.write(`Run b24bi ${name} --help for the options.\n`)
    return code === 'B24BI_ERR_CLI_USAGE' ? 2 : 1
  }
}
