import { request } from 'undici'
import { AnswerRowCounter } from '../util/exact-json.js'
import type { KitContext } from './kit-context.js'
import { KIT_PATHS } from './kit-server.js'

const MIB = 1024 * 1024
const DEFAULT_MIN_ROWS_PER_SECOND = 1000
const DEFAULT_MAX_RSS_GROWTH_MB = 256
const RSS_SAMPLE_MS = 20
// Below this a read measures latency, not throughput.
const MIN_ROWS_FOR_RATE = 1000

/** Streams one urlData answer over a real socket, counting rows as bytes arrive and sampling the RSS. */
async function streamRead (kit: KitContext, body: Record<string, unknown>): Promise<{ rows: number, complete: boolean, seconds: number, peakRss: number, status: number }> {
  const base = await kit.server.url()
  let peakRss = process.memoryUsage.rss()
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()) }, RSS_SAMPLE_MS)
  const started = performance.now()
  try {
    const response = await request(`${base}${KIT_PATHS.data}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(kit.body(body))
    })
    const counter = new AnswerRowCounter()
    const decoder = new TextDecoder()
    for await (const chunk of response.body) {
      counter.push(decoder.decode(chunk as Buffer, { stream: true }))
      peakRss = Math.max(peakRss, process.memoryUsage.rss())
    }
    return { rows: counter.rows, complete: counter.complete, seconds: (performance.now() - started) / 1000, peakRss, status: response.statusCode }
  } finally {
    clearInterval(sampler)
  }
}

/**
 * Throughput and memory: the rows per second of a whole-table read over a real socket, and how much the
 * process RSS grew during it compared with a small read just before. Both against the author's thresholds.
 */
export async function checkLoad (kit: KitContext): Promise<void> {
  const table = kit.options.load?.table ?? kit.sampleTable
  if (table === undefined) {
    const why = `no table to read: load.table is not set and ${kit.missing(['sample']) ?? 'there is no sample table'}`
    kit.notRun('throughput', why)
    kit.notRun('memory', why)
    return
  }
  const minRate = kit.options.thresholds?.minRowsPerSecond ?? DEFAULT_MIN_ROWS_PER_SECOND
  const maxGrowth = kit.options.thresholds?.maxRssGrowthMb ?? DEFAULT_MAX_RSS_GROWTH_MB
  const small = await streamRead(kit, { table, limit: 10 })
  const baseline = process.memoryUsage.rss()
  const large = await streamRead(kit, { table })
  if (small.status !== 200 || large.status !== 200 || !large.complete) {
    kit.report('throughput', false, `the large read of '${table}' answers 200 with a complete array (got ${large.status}, ${large.rows} rows)`)
    return
  }
  const rate = Math.round(large.rows / Math.max(large.seconds, 1e-6))
  const growth = Math.max(0, (large.peakRss - Math.max(baseline, small.peakRss)) / MIB)
  kit.measurements.largeReadRows = large.rows
  kit.measurements.rowsPerSecond = rate
  kit.measurements.rssGrowthMb = Number(growth.toFixed(1))
  if (large.rows < MIN_ROWS_FOR_RATE) {
    kit.report('throughput', true, `reading '${table}' whole: ${large.rows} rows at ${rate} rows/s; too few rows to hold against the threshold ` +
      `(fewer than ${MIN_ROWS_FOR_RATE}): set load.table to a large table`)
  } else {
    kit.report('throughput', rate >= minRate, `reading '${table}' whole: ${large.rows} rows at ${rate} rows/s (threshold ${minRate} rows/s)`)
  }
  kit.report('memory', growth <= maxGrowth, `RSS growth during the large read of '${table}': ${growth.toFixed(1)} MiB (threshold ${maxGrowth} MiB)`)
}
