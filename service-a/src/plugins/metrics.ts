import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { registerBuildInfo } from '../metrics/build-info.ts'
import { renderMetrics } from '../metrics/exposition.ts'
import { createInstrument, type Instrument } from '../metrics/function-metrics.ts'
import { createHttpMetrics, DURATION_BUCKETS_SECONDS, errorTypeLabeler, methodLabel, UNMATCHED_ROUTE } from '../metrics/http-metrics.ts'
import { requestHooks } from '../metrics/request-hooks.ts'
import { onRouterErrors, statusCodeOf } from './errors.ts'

export interface MetricsOptions {
  /** Service version for the build-info metric. */
  version: string
  /** Durations carry the trace id of their request as an exemplar: with tracing on only. */
  exemplars: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: {
      registry: Registry
      /** Wraps an async function of the application: its calls, duration and failures are recorded. */
      instrument: Instrument
    }
  }
}

async function metrics (app: FastifyInstance, options: MetricsOptions): Promise<void> {
  // One registry per app instance: tests and several apps in one process never share series.
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  registerBuildInfo(registry, options.version)
  const http = createHttpMetrics(registry, options.exemplars)
  const instrument = createInstrument(registry, DURATION_BUCKETS_SECONDS, options.exemplars)
  app.decorate('metrics', { registry, instrument })

  onRouterErrors(app, requestHooks(app, http).onResponse)

  // onError sees every error before the error handler answers it; only those that become a 5xx
  // are unhandled. It runs for errors only, so it costs nothing on the requests that succeed.
  const errorType = errorTypeLabeler()
  app.addHook('onError', (request, reply, error, done) => {
    if (statusCodeOf(error) >= 500) {
      http.errors.inc({ method: methodLabel(request.method), route: request.routeOptions.url ?? UNMATCHED_ROUTE, error: errorType(error) })
    }
    done()
  })

  app.get('/metrics', { config: { telemetry: false, otel: false }, logLevel: 'warn' }, async (request, reply) => {
    const page = await renderMetrics(registry, request.headers.accept)
    return reply.type(page.contentType).send(page.body)
  })
}

export default fp(metrics, { name: 'metrics', fastify: '5.x' })
