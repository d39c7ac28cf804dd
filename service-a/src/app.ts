import { createRequire } from 'node:module'
import type { Server } from 'node:http'
import Fastify, { LogController, type FastifyHttpOptions, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import pino from 'pino'
import { tracingEnabled, type Config } from './config.ts'
import accessLog from './plugins/access-log.ts'
import errors, { answerRouterError } from './plugins/errors.ts'
import health from './plugins/health.ts'
import metrics from './plugins/metrics.ts'
import requestId, { genReqId } from './plugins/request-id.ts'
import hello from './routes/hello.ts'
import { traceContextOfLog } from './trace-context.ts'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/**
 * How often Node.js looks for requests past REQUEST_TIMEOUT_MS; its default, 30 s, would let a
 * 30 s timeout cut a slow client anywhere between 30 and 60 s.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000

const ACCESS_LOG_LEVELS = new Set<Config['LOG_LEVEL']>(['info', 'debug', 'trace'])

export interface BuildOptions {
  /** People at a terminal read pretty lines; machines read JSON. */
  stdoutIsTTY?: boolean
  /** Where the JSON log lines go instead of stdout (tests read them). */
  logStream?: pino.DestinationStream
}

/**
 * The whole service, built from its configuration: server.ts listens with it, the tests `inject`
 * into it, the benchmark measures it. Routes added before `ready()` are instrumented too.
 * With tracing on, OpenTelemetry's SDK is loaded here and only here: off, none of it is imported.
 */
export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const traced = tracingEnabled(config)
  const app = Fastify(serverOptions(config, options, traced))
  if (traced) {
    // The request span must exist before the hooks that record its trace id.
    const { startTracing } = await import('./tracing.ts')
    await app.register(startTracing(app.log, config).plugin)
  }
  await app.register(metrics, { version, exemplars: traced })
  await app.register(requestId)
  // The access log writes at info: below that level its hooks would only cost.
  if (ACCESS_LOG_LEVELS.has(config.LOG_LEVEL)) await app.register(accessLog)
  await app.register(errors)
  await app.register(health)
  await app.register(hello)
  return app
}

function serverOptions (config: Config, options: BuildOptions, traced: boolean): FastifyHttpOptions<Server> {
  return {
    // Bounds receiving the request (headers and body), not the handler: a 10 s `delay` is unaffected.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    http: { headersTimeout: config.REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    // keepAliveTimeout stays Fastify's 72 s: longer than the 60 s idle timeout of the usual load
    // balancers (they, not the service, close an idle connection) and than the 15 s scrape interval.
    logger: loggerOptions(config.LOG_LEVEL, options, traced),
    // plugins/access-log.ts writes the one line per request; Fastify's own two are turned off.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId,
    frameworkErrors: answerRouterError
  }
}

function loggerOptions (level: Config['LOG_LEVEL'], options: BuildOptions, traced: boolean): FastifyServerOptions['logger'] {
  // Silent means no logger at all: Fastify then skips the per-request child logger (its
  // bindings serialised on every request) instead of building one that never writes.
  if (level === 'silent') return false
  // Each line of a traced request carries trace_id and span_id; untraced, nothing is looked up.
  const mixin = traced ? { mixin: traceContextOfLog } : {}
  if (options.logStream !== undefined) return { level, ...mixin, stream: options.logStream }
  // Never decided by NODE_ENV.
  if (options.stdoutIsTTY === true) return { level, ...mixin, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
  return { level, ...mixin, stream: batchedStdout() }
}

/**
 * stdout written in batches of at least 4 KiB, flushed every 250 ms and at exit: one write per
 * ~20 access-log lines instead of one per request. Node.js writes stdout synchronously on Linux
 * pipes and files, so a batch is out before the next begins. Ours, not pino.destination's
 * `minLength`: SonicBoom measures the byte length of its whole pending buffer on every line, about
 * 3 µs a line here, a fifth of a bare Fastify request (make bench). A SIGKILL loses at most the last 250 ms.
 * @see https://github.com/pinojs/sonic-boom/blob/v4.2.1/index.js#L321-L328
 */
function batchedStdout (): pino.DestinationStream {
  let lines: string[] = []
  let size = 0
  const flush = (): void => {
    if (size === 0) return
    process.stdout.write(lines.join(''))
    lines = []
    size = 0
  }
  setInterval(flush, 250).unref()
  process.once('exit', flush)
  return {
    write (line: string) {
      lines.push(line)
      size += line.length
      if (size >= 4096) flush()
    }
  }
}
