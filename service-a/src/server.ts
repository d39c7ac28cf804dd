import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import serviceA, { serverOptions } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'

/** The only module with side effects: read the environment, listen, and shut down gracefully. */
async function main (): Promise<void> {
  const config = loadConfig(process.env)
  const app = Fastify(serverOptions(config, process.stdout.isTTY))
  await app.register(serviceA)
  await app.listen({ port: config.PORT, host: config.HOST })

  // Installed only once listening: before that there is nothing to drain, and its exit-time
  // hook would turn a failed start-up into exit code 0.
  // Kubernetes sends SIGTERM and, in parallel, removes the pod from the Service's endpoints.
  // Readiness turns 503 at once; the delay lets in-flight traffic routing catch up before
  // app.close() stops accepting connections and waits for the requests in flight.
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: app.log }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an uncaught error')
    else app.log.info({ signal }, 'shutting down')
    app.markNotReady()
    if (config.SHUTDOWN_DELAY_MS > 0) await sleep(config.SHUTDOWN_DELAY_MS)
    // close() reaps the keep-alive connections idle at that moment, but a connection whose
    // request is still in flight turns idle later and would hold the process until the timeout.
    const reaper = setInterval(() => app.server.closeIdleConnections(), 50)
    await app.close()
    clearInterval(reaper)
    app.log.info('shutdown complete')
  })
}

main().catch((error: unknown) => {
  // A bad configuration is the operator's to fix: one line, no stack trace.
  if (error instanceof ConfigError) console.error(error.message)
  else console.error(error)
  process.exitCode = 1
})
