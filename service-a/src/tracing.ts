import { setTimeout as sleep } from 'node:timers/promises'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { context, diag, DiagLogLevel, ROOT_CONTEXT, type DiagLogger } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { NodeSDK } from '@opentelemetry/sdk-node'
import type { FastifyBaseLogger, FastifyPluginCallback, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from './config.ts'
import { methodLabel, UNMATCHED_ROUTE } from './metrics/http-metrics.ts'

export interface Tracing {
  /**
   * Opens a span per request, continuing an incoming W3C `traceparent`: register it before any
   * route. When the app closes, it exports the spans not yet sent.
   */
  plugin: FastifyPluginCallback
}

/** OpenTelemetry's own complaints (an unreachable collector fails every export) reach the log this often at most. */
export const DIAG_INTERVAL_MS = 60_000

/**
 * Starts OpenTelemetry's Node.js SDK with an OTLP/HTTP exporter, configured by the standard
 * OTEL_* variables alone (endpoint, service name, sampler). Only traces: no OpenTelemetry
 * metrics (prom-client has them) and no log export (pino writes to stdout). Call it only when
 * `tracingEnabled(config)`: without it no SDK exists and the API's calls are no-ops.
 */
export function startTracing (log: FastifyBaseLogger, config: Pick<Config, 'SHUTDOWN_DELAY_MS' | 'SHUTDOWN_TIMEOUT_MS'>): Tracing {
  diag.setLogger(rateLimited(log.child({ component: 'opentelemetry' })), DiagLogLevel.WARN)
  const fastify = new FastifyOtelInstrumentation({
    // The request span and the handler's child span; a span per lifecycle hook would cost more than it tells.
    instrumentHooks: false,
    requestHook: (span, request) => span.updateName(spanName(request))
  })
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [fastify],
    metricReaders: [],
    logRecordProcessors: []
  })
  sdk.start()
  const instrumentation = fastify.plugin()
  return {
    plugin: fp(async (app) => {
      await app.register(instrumentation)
      // server.ts closes the app SHUTDOWN_DELAY_MS after the signal. The export gets what is left
      // of SHUTDOWN_TIMEOUT_MS once the requests in flight are done, less 0.5 s for the exit: a
      // collector that is down must not turn a clean shutdown into a forced one.
      let deadline = Infinity
      app.addHook('preClose', (done) => { deadline = Date.now() + config.SHUTDOWN_TIMEOUT_MS - config.SHUTDOWN_DELAY_MS - 500; done() })
      app.addHook('onClose', async () => {
        const budgetMs = Math.max(0, deadline - Date.now())
        const flushed = await Promise.race([sdk.shutdown().then(() => true, () => false), sleep(budgetMs, false, { ref: false })])
        if (!flushed) log.warn({ budgetMs }, 'spans not exported before shutdown: the collector did not answer in time')
      })
    }, { name: 'tracing', fastify: '5.x' })
  }
}

/** OpenTelemetry's HTTP server span name: method and route template, never the raw URL. */
function spanName (request: FastifyRequest): string {
  return `${methodLabel(request.method)} ${request.routeOptions.url ?? UNMATCHED_ROUTE}`
}

/**
 * The SDK's warnings and errors as the service's own log lines, one per DIAG_INTERVAL_MS at most,
 * with the number held back since the last: a collector that is down would otherwise add a line
 * for every failed export.
 */
function rateLimited (log: FastifyBaseLogger): DiagLogger {
  let lastAt = -Infinity
  let heldBack = 0
  const report = (message: string): void => {
    const now = Date.now()
    if (now - lastAt < DIAG_INTERVAL_MS) {
      heldBack++
      return
    }
    // Outside any request's context: the export that failed was scheduled by some request, whose
    // trace ids the log line would otherwise carry.
    context.with(ROOT_CONTEXT, () => log.warn({ heldBack }, message))
    lastAt = now
    heldBack = 0
  }
  // diag passes on only what its level (WARN) lets through.
  return { error: report, warn: report, info: report, debug: report, verbose: report }
}
