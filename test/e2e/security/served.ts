import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { request, Agent } from 'undici'
import { eventually } from '../../helpers/eventually.js'
import { killReplica, startReplica, type Replica } from '../replicas/replica.js'

/** A built `b24bi serve` process (dist/, `npm run build --silent` first) and its base URL. */
export interface Served extends Replica {
  url: string
  /** Peak resident set (VmHWM) of the server process so far, in bytes. */
  peakRss: () => number
  /** Its log lines since it listened (pino writes to stdout, at LOG_LEVEL warn unless set). */
  logs: () => string
}

/**
 * Starts `b24bi serve` with `env` on a loopback port (the test kills it at teardown) and waits until it is past
 * its start-up: the under-pressure check measures the start-up's own event-loop delay, so on a loaded machine a
 * fresh server answers its first calls 503 OVERLOADED (the probes, which skip the check, say ready meanwhile).
 */
export async function serve (t: Test, env: Record<string, string>): Promise<Served> {
  const replica = await startReplica(env)
  t.teardown(async () => await killReplica(replica))
  let logs = ''
  replica.child.stdout!.on('data', (chunk: Buffer) => { logs += chunk.toString() })
  const url = `http://127.0.0.1:${replica.port}`
  const started = performance.now()
  let overloaded = 0
  await eventually(async () => {
    const answer = await fetch(`${url}/api/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    await answer.arrayBuffer()
    if (answer.status === 503) overloaded++
    return answer.status !== 503
  }, 30_000)
  if (overloaded > 0) t.comment(`the fresh server answered ${overloaded} calls 503 in its first ${(performance.now() - started).toFixed(0)} ms (under-pressure)`)
  return { ...replica, url, peakRss: () => peakRss(replica.child.pid!), logs: () => logs }
}

/** VmHWM of a process, in bytes. */
export function peakRss (pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
}

/** A fresh temporary folder, removed when the test ends. */
export function scratchFolder (t: Test, prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

/** Writes `source` as an ES module in a fresh temporary folder (removed when the test ends); returns its path. */
export function moduleFile (t: Test, name: string, source: string): string {
  const file = join(scratchFolder(t, 'b24bi-attack-'), name)
  writeFileSync(file, source)
  return file
}

/** What `/health` did while it was polled. */
export interface HealthRecord { polls: number, failures: string[], maxMs: number }

/**
 * Polls `/health` one request after another (each waits for the last) until stopped; a frozen event loop shows as
 * one long poll. Uses its own connection so the polls never queue behind the attack.
 */
export function watchHealth (url: string): { stop: () => Promise<HealthRecord> } {
  const agent = new Agent({ connections: 1 })
  const record: HealthRecord = { polls: 0, failures: [], maxMs: 0 }
  let running = true
  const loop = (async () => {
    while (running) {
      const started = performance.now()
      try {
        const answer = await request(`${url}/health`, { dispatcher: agent, headersTimeout: 120_000 })
        await answer.body.text()
        if (answer.statusCode !== 200) record.failures.push(String(answer.statusCode))
      } catch (error) {
        record.failures.push((error as Error).message)
      }
      record.polls++
      record.maxMs = Math.max(record.maxMs, performance.now() - started)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      await agent.close()
      return record
    }
  }
}
