import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { drainOf } from './drain.ts'

/** The only module with side effects: read the environment, listen, and shut down gracefully. */
async function main (): Promise<void> {
  const config = loadConfig(process.env)
  const app = await buildApp(config, { stdoutIsTTY: process.stdout.isTTY })
  const drain = drainOf(app.server)
  await app.listen({ port: config.PORT, host: config.HOST })

  // Installed only once listening: before that there is nothing to drain, and its exit-time
  // hook would turn a failed start-up into exit code 0.
  // Kubernetes sends SIGTERM and, in parallel, removes the pod from the Service's endpoints.
  // Readiness turns 503 at once and every response says `Connection: close`, so that clients
  // reconnect to another pod; the delay lets the endpoint removal reach every node. Then
  // app.close() stops accepting connections, answers 503 to requests that still arrive, and
  // waits for those in flight; the connections with none are closed. Tracing, when on, exports
  // its last spans as the app closes.
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: app.log }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an uncaught error')
    else app.log.info({ signal }, 'shutting down')
    app.markNotReady()
    drain.start()
    if (config.SHUTDOWN_DELAY_MS > 0) await sleep(config.SHUTDOWN_DELAY_MS)
    const closed = app.close()
    drain.closeUnserved()
    await closed
    app.log.info('shutdown complete')
  })
}

main().catch((error: unknown) => {
  // A bad configuration is the operator's to fix: one line, no stack trace.
  if (error instanceof ConfigError) console.error(error.message)
  else console.error(error)
  process.exitCode = 1
})
