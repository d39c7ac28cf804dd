import { Counter, Gauge, type Histogram, type Registry } from 'prom-client'
import { histogram } from './exposition.ts'

/**
 * From a sub-millisecond hello-world reply up to the 10 s a client is likely to wait.
 * The usual 5 ms to 10 s defaults put every fast request into one bucket.
 */
export const DURATION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Distinct `error` label values kept before the rest are folded into `other`. */
export const MAX_ERROR_TYPES = 20

const REQUEST_LABELS = ['method', 'route', 'status_code'] as const

export interface HttpMetrics {
  requests: Counter<typeof REQUEST_LABELS[number]>
  duration: Histogram<typeof REQUEST_LABELS[number]>
  inFlight: Gauge
  errors: Counter<'method' | 'route' | 'error'>
  /** Whether `duration` takes exemplars. */
  exemplars: boolean
}

/**
 * The RED metrics of the HTTP server, registered in `registry` in the order the page shows them;
 * durations with exemplars when `exemplars` (tracing on).
 */
export function createHttpMetrics (registry: Registry, exemplars: boolean): HttpMetrics {
  return {
    exemplars,
    inFlight: new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served right now.',
      registers: [registry]
    }),
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, route template and status code.',
      labelNames: REQUEST_LABELS,
      registers: [registry]
    }),
    duration: histogram(registry, {
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
      labelNames: REQUEST_LABELS,
      buckets: DURATION_BUCKETS_SECONDS
    }, exemplars),
    errors: new Counter({
      name: 'http_request_errors_total',
      help: 'HTTP requests that ended in an unhandled error (status 5xx), by error type.',
      labelNames: ['method', 'route', 'error'],
      registers: [registry]
    })
  }
}

/**
 * The methods that keep their own `method` label value. Node.js parses 35 methods; the others
 * (PROPFIND, MKCOL, …) share one value, as in OpenTelemetry's semantic conventions, so that a
 * scanner trying them all adds no series.
 * @see https://opentelemetry.io/docs/specs/semconv/http/http-metrics/ (http.request.method)
 */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
export const OTHER_METHOD = '_OTHER'
export const methodLabel = (method: string): string => KNOWN_METHODS.has(method) ? method : OTHER_METHOD

/** nginx's status for a client that closed the connection before it got its response. */
export const CLIENT_CLOSED_REQUEST = 499

/** The route label of every request that matched no route, so that hostile paths add no series. */
export const UNMATCHED_ROUTE = '<unmatched>'

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
