import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'

/** The built CLI the replicas run (`npm run build --silent` first). */
export const MAIN = new URL('../../../dist/src/cli/main.js', import.meta.url).pathname

/** One `b24bi serve` process on loopback. */
export interface Replica {
  port: number
  child: ChildProcess
  /** What it wrote to stderr (pino at warn and above) so far. */
  stderr: () => string
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string | null>
}

/** Starts `node dist/src/cli/main.js serve` with `env` on a free loopback port; resolves once it listens. */
export async function startReplica (env: Record<string, string>): Promise<Replica> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build --silent first`)
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string | null)
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/api\/data/.exec(stdout)
      if (match !== null) resolve(Number(match[1]))
    })
    void exited.then((code) => reject(new Error(`serve exited (${String(code)}) before listening: ${stderr}`)))
  })
  return { port, child, stderr: () => stderr, exited }
}

/** Stops a replica for good (teardown): SIGKILL unless it already ended. */
export async function killReplica (replica: Replica): Promise<void> {
  if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL')
  await replica.exited
}
