import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { registerBuildInfo } from '../metrics/build-info.ts'
import { Exposition } from '../metrics/exposition.ts'
import { createHttpMetrics, errorTypeLabeler, type HttpMetrics } from '../metrics/http-metrics.ts'
import { RouteRecorder } from '../metrics/route-recorder.ts'
import { hookEveryRoute, UNMATCHED_ROUTE } from '../route-hooks.ts'

export interface MetricsOptions {
  /** Service version for the build-info metric. */
  version: string
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: {
      registry: Registry
      /** Counts a request that ended in an unhandled error; called by the error handler. */
      countError: (request: FastifyRequest, error: Error) => void
    }
  }
}

async function metrics (app: FastifyInstance, options: MetricsOptions): Promise<void> {
  // One registry per app instance: tests and several apps in one process never share series.
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  registerBuildInfo(registry, options.version)
  const http = createHttpMetrics(registry)
  const exposition = new Exposition(registry)
  exposition.mirror()

  hookEveryRoute(app, (route, method) => new RouteRecorder(http, route, method))

  app.decorate('metrics', { registry, countError: errorCounter(http) })

  app.get('/metrics', { config: { telemetry: false }, logLevel: 'warn' }, async (request, reply) => {
    const chosen = exposition.negotiate(request.headers.accept)
    return reply.type(chosen.contentType).send(await chosen.metrics())
  })
}

function errorCounter (http: HttpMetrics): (request: FastifyRequest, error: Error) => void {
  const label = errorTypeLabeler()
  return (request, error) => {
    http.errors.inc({ method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, error: label(error) })
  }
}

export default fp(metrics, { name: 'metrics', fastify: '5.x' })
