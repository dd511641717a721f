import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { TYPESCRIPT_LOADER } from '../../helpers/typescript-loader.js'

/** The child's `slow` table: every answer takes about `batches * delayMs`, long enough for a signal to arrive while it streams. */
export const SLOW = Object.freeze({ batches: 20, rowsPerBatch: 50, delayMs: 100 })

/** A connector server running `server-child.ts` in another process. */
export interface ServerProcess {
  child: ChildProcess
  url: string
  /** Peak resident set (VmHWM) of the process, in bytes. */
  peakRss: () => number
  exited: Promise<number | null>
  /** Everything the process wrote (its log lines). */
  stderr: () => string
}

/** Spawns `server-child.ts` with the TypeScript loader the tests run under, and waits for its port. */
export async function spawnServer (args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('./server-child.ts', import.meta.url))
  const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ...env }
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdout!.on('data', (chunk: Buffer) => { stderr += chunk.toString() }) // pino writes to stdout
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const port = await new Promise<number>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`server-child exited (${code}): ${stderr}`)))
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
  })
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    exited,
    stderr: () => stderr,
    peakRss: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
  }
}
