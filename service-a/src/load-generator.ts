import pino from 'pino'
import { loadLoadConfig, type LoadConfig } from './load/config.ts'
import { startLoad } from './load/generator.ts'
import { serveHealth } from './load/health.ts'

/**
 * The load generator's process: the traffic mix of load/traffic.ts against TARGET_URL until
 * SIGTERM or SIGINT. It runs from service-a's own image (`node dist/load-generator.js`), so it
 * needs no image of its own; `make run` and k8s/components/load-generator start it.
 */

let config: LoadConfig
try {
  config = loadLoadConfig(process.env)
} catch (error) {
  // A bad configuration is the operator's to fix: one line, no stack trace (loadLoadConfig
  // throws nothing but ConfigError).
  console.error((error as Error).message)
  process.exit(1)
}

// JSON always, written synchronously: a line a minute costs nothing, and none is lost at exit.
const logger = pino({ name: 'load-generator', level: config.LOG_LEVEL }, pino.destination({ dest: 1, sync: true }))
const health = config.HEALTH_PORT === undefined ? undefined : await serveHealth(config.HEALTH_PORT, config.HEALTH_HOST)
const load = startLoad({
  targetUrl: config.TARGET_URL,
  requestsPerSecond: config.REQUESTS_PER_SECOND,
  maxInFlight: config.MAX_IN_FLIGHT,
  summaryIntervalMs: config.SUMMARY_INTERVAL_MS,
  logger
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping')
    health?.close()
    // exit() rather than an empty event loop: fetch keeps idle keep-alive sockets open for a
    // few seconds, and a stop should not wait for them.
    load.stop().then(() => process.exit(0))
  })
}
