import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { RouteHooks } from '../route-hooks.ts'

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
}

/** The RED metrics of the HTTP server, registered in `registry` in the order the page shows them. */
export function createHttpMetrics (registry: Registry): HttpMetrics {
  return {
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
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
      labelNames: REQUEST_LABELS,
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [registry]
    }),
    errors: new Counter({
      name: 'http_request_errors_total',
      help: 'HTTP requests that ended in an unhandled error (status 5xx), by error type.',
      labelNames: ['method', 'route', 'error'],
      registers: [registry]
    })
  }
}

/**
 * Set while a request holds an in-flight slot. A client that hangs up early gets no onResponse,
 * so onRequestAbort frees the slot; and when an earlier onRequest hook fails, this one never
 * runs but onResponse still does: neither may give back a slot that is not held.
 */
const kInFlight = Symbol('metrics.inFlight')
type Tracked = FastifyRequest & { [kInFlight]?: boolean }

/**
 * The hooks that record the requests of one route. `method` is undefined where one handler
 * serves several methods; the request's own method is used then.
 */
export function requestHooks (http: HttpMetrics, route: string, method: string | undefined): Required<RouteHooks> {
  const release = (request: Tracked): void => {
    if (request[kInFlight] === true) {
      request[kInFlight] = false
      http.inFlight.dec()
    }
  }
  return {
    onRequest (request: Tracked, reply: FastifyReply, done: HookHandlerDoneFunction) {
      request[kInFlight] = true
      http.inFlight.inc()
      done()
    },
    onResponse (request: Tracked, reply: FastifyReply, done: HookHandlerDoneFunction) {
      release(request)
      const labels = { method: method ?? request.method, route, status_code: reply.statusCode }
      http.requests.inc(labels)
      http.duration.observe(labels, reply.elapsedTime / 1000)
      done()
    },
    onRequestAbort (request: Tracked, done: HookHandlerDoneFunction) {
      release(request)
      done()
    }
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
