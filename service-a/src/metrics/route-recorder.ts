import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { HttpMetrics } from './http-metrics.ts'
import type { HistogramSeries } from './series-histogram.ts'

/**
 * Set while a request holds an in-flight slot. A client that hangs up early gets no onResponse,
 * so onRequestAbort frees the slot; and when an earlier onRequest hook fails, this one never
 * runs but onResponse still does: neither may give back a slot that is not held.
 */
const kInFlight = Symbol('metrics.inFlight')
type Tracked = FastifyRequest & { [kInFlight]?: boolean }

/**
 * Records the requests of one route. Series are cached per method and status code, so that a
 * request costs a Map lookup and a few additions (the request counter is derived at scrape time).
 */
export class RouteRecorder {
  readonly #http: HttpMetrics
  readonly #route: string
  readonly #fixedMethod: string | undefined
  readonly #series = new Map<string, HistogramSeries>()

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
    this.#seriesFor(this.#fixedMethod ?? request.method, reply.statusCode).observe(reply.elapsedTime / 1000)
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

  #seriesFor (method: string, statusCode: number): HistogramSeries {
    const key = method + statusCode
    let series = this.#series.get(key)
    if (series === undefined) {
      series = this.#http.duration.series({ method, route: this.#route, status_code: statusCode })
      this.#series.set(key, series)
    }
    return series
  }
}
