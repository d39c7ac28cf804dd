import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onResponseHookHandler } from 'fastify'
import { traceExemplar } from '../trace-context.ts'
import { CLIENT_CLOSED_REQUEST, methodLabel, UNMATCHED_ROUTE, type HttpMetrics } from './http-metrics.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false keeps a route out of request metrics: probes and scrapes. */
    telemetry?: boolean
  }
}

/** A request's route template, UNMATCHED_ROUTE if it matched none; undefined if kept out of telemetry. */
export function routeOf (request: FastifyRequest): string | undefined {
  const { url, config } = request.routeOptions
  return config.telemetry === false ? undefined : url ?? UNMATCHED_ROUTE
}

/**
 * The route label, read once per request (`routeOptions` builds a new object on every access),
 * and the reply of a request that holds an in-flight slot: a hang-up has no onResponse to read it.
 */
const kRoute = Symbol('metrics.route')
const kReply = Symbol('metrics.reply')
type Tracked = FastifyRequest & { [kRoute]?: string, [kReply]?: FastifyReply }

/**
 * The route label of a request the metrics recorded, as they recorded it; read afresh when an
 * earlier onRequest hook failed before theirs ran, and undefined for routes kept out of telemetry.
 */
export function routeLabel (request: FastifyRequest): string | undefined {
  return (request as Tracked)[kRoute] ?? routeOf(request)
}

/**
 * App-level hooks that record every request under its route template (Fastify's
 * `request.routeOptions.url`), read once per request in onRequest. A client that hangs up
 * before its response gets no onResponse, only onRequestAbort: it is recorded there, as 499,
 * with the time it waited.
 */
export function requestHooks (app: FastifyInstance, http: HttpMetrics): { onResponse: onResponseHookHandler } {
  app.decorateRequest(kRoute, undefined)
  app.decorateRequest(kReply, undefined)
  const record = (request: Tracked, reply: FastifyReply, route: string, statusCode: number): void => {
    if (request[kReply] !== undefined) {
      request[kReply] = undefined
      http.inFlight.dec()
    }
    const labels = { method: methodLabel(request.method), route, status_code: statusCode }
    http.requests.inc(labels)
    const seconds = reply.elapsedTime / 1000
    if (http.exemplars) http.duration.observe({ labels, value: seconds, exemplarLabels: traceExemplar() })
    else http.duration.observe(labels, seconds)
  }
  app.addHook('onRequest', (request: Tracked, reply, done) => {
    const route = routeOf(request)
    if (route !== undefined) {
      request[kRoute] = route
      request[kReply] = reply
      http.inFlight.inc()
    }
    done()
  })
  const onResponse = (request: Tracked, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const route = routeLabel(request)
    if (route !== undefined) record(request, reply, route, reply.statusCode)
    done()
  }
  app.addHook('onResponse', onResponse)
  app.addHook('onRequestAbort', (request: Tracked, done) => {
    const reply = request[kReply]
    if (reply !== undefined) record(request, reply, request[kRoute]!, CLIENT_CLOSED_REQUEST)
    done()
  })
  return { onResponse }
}
