import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { request } from 'undici'
import { pgConfig } from './seed.js'

/** One timed transfer of a whole table. */
export interface Transfer {
  rows: number
  bytes: number
  seconds: number
  rowsPerSecond: number
  /** False when the answer was not a complete JSON array (or the status was not 200). */
  complete: boolean
}

/** Runs `COPY (select) TO STDOUT` through psql, reading its output here: the raw limit of the wire. */
export async function copyThroughPsql (select: string, rows: number): Promise<Transfer> {
  const config = pgConfig()
  const args = ['-h', String(config.host), '-p', String(config.port), '-U', String(config.user), '-d', String(config.database),
    '-X', '-q', '-c', `COPY (${select}) TO STDOUT`]
  const started = performance.now()
  const child = spawn('psql', args, { stdio: ['ignore', 'pipe', 'inherit'] })
  let bytes = 0
  child.stdout.on('data', (chunk: Buffer) => { bytes += chunk.length })
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  const seconds = (performance.now() - started) / 1000
  return { rows, bytes, seconds, rowsPerSecond: rows / seconds, complete: code === 0 }
}

/** A benchmark server in its own process, so its memory can be read from /proc. */
export interface ServerChild {
  port: number
  pid: number
  /** The process's peak resident set (VmHWM) in bytes. */
  peakRss: () => Promise<number>
  /** The CPU time the process has used so far (user + system), in seconds: the cost on a machine shared with others. */
  cpuSeconds: () => Promise<number>
  stop: () => Promise<void>
}

/** Starts `bench/server.js <kind> <tables> [...serverArgs]` and waits for its port. */
export async function startServer (kind: string, tables: readonly string[], nodeArgs: readonly string[] = [], serverArgs: readonly string[] = []): Promise<ServerChild> {
  const script = fileURLToPath(new URL('./server.js', import.meta.url))
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script, kind, tables.join(','), ...serverArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server ${kind} exited with ${code}`)))
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
  })
  const pid = child.pid!
  return {
    port,
    pid,
    peakRss: async () => {
      const status = await readFile(`/proc/${pid}/status`, 'utf8')
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
    },
    cpuSeconds: async () => {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime and stime in clock ticks (100 a second).
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ')
      return (Number(fields[11]) + Number(fields[12])) / 100
    },
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

/** POSTs a portal-shaped form body and reads the whole answer, counting bytes and checking it ends as an array. */
export async function readAnswer (port: number, path: string, form: string, rows: number): Promise<Transfer> {
  const started = performance.now()
  const answer = await request(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    headersTimeout: 600_000,
    bodyTimeout: 600_000
  })
  let bytes = 0
  let tail = ''
  for await (const chunk of answer.body as AsyncIterable<Buffer>) {
    bytes += chunk.length
    tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 4))).slice(-4)
  }
  const seconds = (performance.now() - started) / 1000
  return { rows, bytes, seconds, rowsPerSecond: rows / seconds, complete: answer.statusCode === 200 && tail.endsWith(']]') }
}

/** Latency of one small call under load. */
export interface SmallCallLatency {
  p50: number
  p99: number
  mean: number
  requestsPerSecond: number
  errors: number
}

/** Loads one endpoint with autocannon (10 connections) for `seconds`. */
export async function smallCall (port: number, path: string, form: string, seconds: number): Promise<SmallCallLatency> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: 'POST',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    connections: 10,
    duration: seconds
  })
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    requestsPerSecond: result.requests.average,
    errors: result.errors + result.non2xx
  }
}
