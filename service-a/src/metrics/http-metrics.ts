import { Counter, Gauge, type Registry } from 'prom-client'
import { SeriesHistogram } from './series-histogram.ts'

/**
 * From a sub-millisecond hello-world reply up to the 10 s a client is likely to wait.
 * The usual 5 ms to 10 s defaults put every fast request into one bucket.
 */
export const DURATION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Distinct `error` label values kept before the rest are folded into `other`. */
export const MAX_ERROR_TYPES = 20

const LABELS = ['method', 'route', 'status_code'] as const
type Label = typeof LABELS[number]

export interface HttpMetrics {
  /** Filled from the histogram's series at scrape time: a request's count is its observation's. */
  requests: Counter<Label>
  duration: SeriesHistogram
  errors: Counter<'method' | 'route' | 'error'>
  /** Requests started and not yet finished; read by the in-flight gauge at scrape time. */
  inFlight: { value: number }
}

export function createHttpMetrics (registry: Registry): HttpMetrics {
  const inFlight = { value: 0 }
  // Read at scrape time rather than updated per request: a plain integer is cheaper than Gauge#inc.
  registry.registerMetric(new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests being served right now.',
    registers: [],
    collect () { this.set(inFlight.value) }
  }))
  const duration = new SeriesHistogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
    buckets: DURATION_BUCKETS_SECONDS
  })
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by method, route template and status code.',
    labelNames: LABELS,
    registers: [registry],
    collect () {
      this.reset()
      for (const series of duration.all) this.inc(series.labels, series.count)
    }
  })
  // Registered after the counter: the page keeps its order (in flight, requests, duration).
  registry.registerMetric(duration.asMetric())
  return {
    inFlight,
    requests,
    duration,
    errors: new Counter({
      name: 'http_request_errors_total',
      help: 'HTTP requests that ended in an unhandled error (status 5xx), by error type.',
      labelNames: ['method', 'route', 'error'],
      registers: [registry]
    })
  }
}

/**
 * Maps an error to a label value from a bounded set: Fastify's stable `FST_*` codes or Node's
 * `ERR_*` codes where present, else the error class name; past MAX_ERROR_TYPES distinct values, `other`.
 */
export function errorTypeLabeler (max = MAX_ERROR_TYPES): (error: Error & { code?: unknown }) => string {
  const seen = new Set<string>()
  return (error) => {
    const type = typeof error.code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(error.code)
      ? error.code
      : /^[A-Za-z]\w{0,63}$/.test(error.name) ? error.name : 'Error'
    if (seen.has(type)) return type
    if (seen.size >= max) return 'other'
    seen.add(type)
    return type
  }
}
