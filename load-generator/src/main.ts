import pino from 'pino'
import { loadLoadConfig, type LoadConfig } from './config.ts'
import { startLoad } from './generator.ts'
import { serveHealth } from './health.ts'

/**
 * The load generator's process: the traffic mix of traffic.ts against TARGET_URL until SIGTERM
 * or SIGINT. `make run` starts it from these sources, k8s/components/load-generator from its image.
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
