import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Adapter } from '../src/core/adapter.js'
import { ERR_CLIENT_GONE, isB24biError } from '../src/core/errors.js'
import type { DataSummary } from '../src/runtime/runtime.js'

/** Connection pool sizes an adapter may report (pg `Pool`: totalCount, idleCount, waitingCount). */
export interface AdapterPoolStats {
  total: number
  idle: number
  waiting: number
}

/**
 * The optional hook an adapter implements to expose gauges: `metrics(): { pool?: AdapterPoolStats }`.
 * Called at each scrape; keep it cheap and synchronous.
 *
 * @example
 * metrics () { return { pool: { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount } } }
 */
export interface AdapterWithMetrics {
  metrics?: () => { pool?: AdapterPoolStats }
}

/** Options of `metricsPlugin`. */
export interface MetricsPluginOptions {
  /** The adapter served: its class name labels errors; its optional `metrics()` feeds the pool gauges. */
  adapter: Adapter
  /** Path of the Prometheus endpoint. Default '/metrics'. */
  path?: string
  /** Also export the process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean
  /**
   * The `instance` label on every series: which replica counted it (Prometheus scrapes each replica, not the
   * balancer), so sums over replicas (`sum without (instance)`) stay right wherever the series are kept. Default:
   * none (Prometheus adds its own target label). `b24bi serve`: `B24BI_INSTANCE`, default `<host name>:<port>`.
   */
  instance?: string
}

/** Seconds; the portal stops a transfer at 60 s (the default deadline is 55 s). */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 55, 60]

function instruments (registry: Registry): {
  requests: Counter<'endpoint' | 'status'>
  rows: Counter<'table'>
  bytes: Counter<'table'>
  duration: Histogram<'outcome'>
  deadlines: Counter<'table'>
  clientAborts: Counter<'table'>
  errors: Counter<'adapter' | 'code'>
} {
  const registers = [registry]
  return {
    requests: new Counter({ name: 'b24bi_requests_total', help: 'Answered requests by endpoint (route) and HTTP status', labelNames: ['endpoint', 'status'], registers }),
    rows: new Counter({ name: 'b24bi_rows_served_total', help: 'Rows sent in urlData answers', labelNames: ['table'], registers }),
    bytes: new Counter({ name: 'b24bi_bytes_served_total', help: 'Bytes of urlData answers (before compression)', labelNames: ['table'], registers }),
    duration: new Histogram({ name: 'b24bi_data_duration_seconds', help: 'urlData answer time, first byte of the request to the last row', labelNames: ['outcome'], buckets: DURATION_BUCKETS, registers }),
    deadlines: new Counter({ name: 'b24bi_deadline_stops_total', help: 'urlData answers stopped at the deadline', labelNames: ['table'], registers }),
    clientAborts: new Counter({ name: 'b24bi_client_aborts_total', help: 'urlData answers the client closed before the last byte', labelNames: ['table'], registers }),
    errors: new Counter({ name: 'b24bi_adapter_errors_total', help: 'Source and adapter failures (5xx or a broken stream) by error code', labelNames: ['adapter', 'code'], registers })
  }
}

function outcomeOf (summary: DataSummary): string {
  if (summary.deadline) return 'deadline'
  if (summary.error === undefined) return 'ok'
  return summary.error.code === ERR_CLIENT_GONE.code ? 'client_gone' : 'error'
}

const metrics: FastifyPluginAsync<MetricsPluginOptions> = async (fastify, options) => {
  const registry = new Registry()
  if (options.instance !== undefined) registry.setDefaultLabels({ instance: options.instance })
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'b24bi_' })
  const m = instruments(registry)
  const adapterName = options.adapter.constructor.name
  const source = options.adapter as Adapter & AdapterWithMetrics
  if (typeof source.metrics === 'function') {
    const gauge = new Gauge({
      name: 'b24bi_pool_connections',
      help: 'Source connection pool: total, idle, waiting',
      labelNames: ['state'],
      registers: [registry],
      collect () {
        const stats = source.metrics?.().pool
        if (stats === undefined) return
        gauge.set({ state: 'total' }, stats.total)
        gauge.set({ state: 'idle' }, stats.idle)
        gauge.set({ state: 'waiting' }, stats.waiting)
      }
    })
  }

  const onData = (summary: DataSummary): void => {
    m.rows.inc({ table: summary.table }, summary.rows)
    m.bytes.inc({ table: summary.table }, summary.bytes)
    m.duration.observe({ outcome: outcomeOf(summary) }, summary.elapsedMs / 1000)
    if (summary.deadline) m.deadlines.inc({ table: summary.table })
    else if (outcomeOf(summary) === 'client_gone') m.clientAborts.inc({ table: summary.table })
    // A failure before the first byte is also thrown to the route (counted in onError); count only broken streams here.
    else if (outcomeOf(summary) === 'error' && summary.bytes > 0) m.errors.inc({ adapter: adapterName, code: summary.error!.code })
  }
  // The summaries come from this instance's own runtime (the connector plugin registered on the same instance).
  let stop: (() => void) | undefined
  fastify.addHook('onReady', async () => {
    const runtime = (fastify as Partial<Pick<typeof fastify, 'b24bi'>>).b24bi
    stop = runtime?.onDataEnd(onData)
  })
  fastify.addHook('onClose', async () => { stop?.() })

  // onError sees the error before the error handler maps it: a foreign one without a status becomes a 5xx.
  fastify.addHook('onError', async (_request, _reply, error) => {
    const status = isB24biError(error) ? error.statusCode : ((error as { statusCode?: number }).statusCode ?? 500)
    if (status >= 500) m.errors.inc({ adapter: adapterName, code: isB24biError(error) ? error.code : 'UNCODED' })
  })
  // One labelled child per route and status, looked up once: labelling on every request cost a tenth of a small call.
  const requestCounters = new Map<string, ReturnType<typeof m.requests.labels>>()
  fastify.addHook('onResponse', (request, reply, done) => {
    const endpoint = request.routeOptions.url ?? 'unmatched'
    const key = `${reply.statusCode} ${endpoint}`
    let counter = requestCounters.get(key)
    if (counter === undefined) {
      counter = m.requests.labels({ endpoint, status: String(reply.statusCode) })
      requestCounters.set(key, counter)
    }
    counter.inc()
    done()
  })

  fastify.get(options.path ?? '/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await registry.metrics()
    return await reply.type(registry.contentType).send(text)
  })
}

/**
 * Prometheus metrics at `GET /metrics` from a registry of its own: requests by endpoint and status, rows and
 * bytes served, urlData duration, deadline stops, client aborts, adapter errors by code, pool sizes (when the
 * adapter has `metrics()`), and the process metrics.
 * urlData facts come from this instance's runtime (`fastify.b24bi.onDataEnd`, from the connector plugin), so
 * several servers in one process each count only their own answers.
 *
 * @example
 * await fastify.register(metricsPlugin, { adapter })
 */
export const metricsPlugin = fp(metrics, { fastify: '5.x', name: 'b24bi-metrics' })
export default metricsPlugin
