import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { HttpMetrics } from './http-metrics.ts'

/**
 * Set while a request holds an in-flight slot. A client that hangs up early gets no onResponse,
 * so onRequestAbort frees the slot; and when an earlier onRequest hook fails, this one never
 * runs but onResponse still does: neither may give back a slot that is not held.
 */
const kInFlight = Symbol('metrics.inFlight')
type Tracked = FastifyRequest & { [kInFlight]?: boolean }

interface Series {
  count: { inc: () => void }
  observe: (seconds: number) => void
}

/**
 * Records the requests of one route. Label children are cached per method and status code:
 * prom-client's `inc(labels)` hashes the label object on every call, a cached child does not.
 */
export class RouteRecorder {
  readonly #http: HttpMetrics
  readonly #route: string
  readonly #fixedMethod: string | undefined
  readonly #series = new Map<string, Series>()

  constructor (http: HttpMetrics, route: string, fixedMethod: string | undefined) {
    this.#http = http
    this.#route = route
    this.#fixedMethod = fixedMethod
  }

  readonly onRequest = (request: Tracked, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    request[kInFlight] = true
    this.#http.inFlight.value++
    done()
  }

  readonly onResponse = (request: Tracked, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    this.#release(request)
    const series = this.#seriesFor(this.#fixedMethod ?? request.method, reply.statusCode)
    series.count.inc()
    series.observe(reply.elapsedTime / 1000)
    done()
  }

  readonly onRequestAbort = (request: Tracked, done: HookHandlerDoneFunction): void => {
    this.#release(request)
    done()
  }

  #release (request: Tracked): void {
    if (request[kInFlight] === true) {
      request[kInFlight] = false
      this.#http.inFlight.value--
    }
  }

  #seriesFor (method: string, statusCode: number): Series {
    const key = method + statusCode
    let series = this.#series.get(key)
    if (series === undefined) {
      const labels = { method, route: this.#route, status_code: statusCode }
      const histogram = this.#http.duration.labels(labels)
      series = { count: this.#http.requests.labels(labels), observe: (seconds) => histogram.observe(seconds) }
      this.#series.set(key, series)
    }
    return series
  }
}
