import { invalid, LOG_LEVELS, validateEnv, type Config as ServiceConfig } from '../config.ts'

/** The load generator's settings, read from the environment like service-a's own. */
export interface LoadConfig {
  /** Base URL of the service-a to load: http://service-a in the cluster. */
  TARGET_URL: string
  /** Requests started per second, spread evenly. */
  REQUESTS_PER_SECOND: number
  /** Requests allowed in flight at once; a tick that finds them all busy is skipped, not queued. */
  MAX_IN_FLIGHT: number
  /** How often the one-line summary is logged. */
  SUMMARY_INTERVAL_MS: number
  LOG_LEVEL: ServiceConfig['LOG_LEVEL']
  /** Port of GET /healthz, for the kubelet's probes; none when unset (make run needs none). */
  HEALTH_PORT: number | undefined
  HEALTH_HOST: string
}

const schema = {
  type: 'object',
  required: [],
  additionalProperties: true,
  properties: {
    TARGET_URL: { type: 'string', minLength: 1, default: 'http://127.0.0.1:8080' },
    // A few per second by default: enough for every panel, little enough for a laptop.
    REQUESTS_PER_SECOND: { type: 'number', exclusiveMinimum: 0, maximum: 1000, default: 3 },
    MAX_IN_FLIGHT: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
    SUMMARY_INTERVAL_MS: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 60_000 },
    LOG_LEVEL: { type: 'string', enum: LOG_LEVELS, default: 'info' },
    HEALTH_PORT: { type: 'integer', minimum: 1, maximum: 65535 },
    // Every interface, as service-a's HOST: the kubelet probes the pod's IP.
    HEALTH_HOST: { type: 'string', minLength: 1, default: '0.0.0.0' }
  }
} as const

/** Pure: validates and defaults; a bad value is one ConfigError naming the variable. */
export function loadLoadConfig (env: NodeJS.ProcessEnv): LoadConfig {
  const config = validateEnv<LoadConfig>(schema, env)
  const url = URL.parse(config.TARGET_URL)
  if (url === null || !['http:', 'https:'].includes(url.protocol)) {
    return invalid(`TARGET_URL must be an http:// or https:// URL (got ${JSON.stringify(config.TARGET_URL)})`)
  }
  return {
    // Without a trailing slash, so that paths can be appended as they are.
    TARGET_URL: config.TARGET_URL.replace(/\/+$/, ''),
    REQUESTS_PER_SECOND: config.REQUESTS_PER_SECOND,
    MAX_IN_FLIGHT: config.MAX_IN_FLIGHT,
    SUMMARY_INTERVAL_MS: config.SUMMARY_INTERVAL_MS,
    LOG_LEVEL: config.LOG_LEVEL,
    HEALTH_PORT: config.HEALTH_PORT,
    HEALTH_HOST: config.HEALTH_HOST
  }
}
