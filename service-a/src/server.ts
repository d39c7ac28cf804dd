import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import serviceA, { serverOptions } from './app.ts'
import { ConfigError, loadConfig, tracingEnabled } from './config.ts'
import { connections } from './http-server.ts'
import { startTracing } from './tracing.ts'

/** The only module with side effects: read the environment, listen, and shut down gracefully. */
async function main (): Promise<void> {
  const config = loadConfig(process.env)
  const app = Fastify(serverOptions(config, process.stdout.isTTY))
  const tracing = tracingEnabled(config) ? startTracing(app.log) : undefined
  await app.register(serviceA, { tracing: tracing?.plugin })
  await app.listen({ port: config.PORT, host: config.HOST })

  // Installed only once listening: before that there is nothing to drain, and its exit-time
  // hook would turn a failed start-up into exit code 0.
  // Kubernetes sends SIGTERM and, in parallel, removes the pod from the Service's endpoints.
  // Readiness turns 503 at once and every response says `Connection: close`, so that clients
  // reconnect to another pod; the delay lets the endpoint removal reach every node. Then every
  // connection with no request in flight is closed, whatever its state, and app.close() stops
  // accepting connections and waits for the requests in flight.
  // The spans not yet exported go last, in what is left of the budget.
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: app.log }, async ({ signal, err }) => {
    const deadline = Date.now() + config.SHUTDOWN_TIMEOUT_MS - 500
    if (err !== undefined) app.log.error({ err }, 'shutting down after an uncaught error')
    else app.log.info({ signal }, 'shutting down')
    app.markNotReady()
    connections(app.server).closeAfterResponses()
    if (config.SHUTDOWN_DELAY_MS > 0) await sleep(config.SHUTDOWN_DELAY_MS)
    connections(app.server).closeUnused()
    await app.close()
    await tracing?.shutdown(deadline - Date.now())
    app.log.info('shutdown complete')
  })
}

main().catch((error: unknown) => {
  // A bad configuration is the operator's to fix: one line, no stack trace.
  if (error instanceof ConfigError) console.error(error.message)
  else console.error(error)
  process.exitCode = 1
})
