import envSchema from 'env-schema'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** The load generator's settings, read from the environment. */
export interface LoadConfig {
  /** Base URL of the service-a to load: http://service-a in the cluster. */
  TARGET_URL: string
  /** Requests started per second, spread evenly. */
  REQUESTS_PER_SECOND: number
  /** Requests allowed in flight at once; a tick that finds them all busy is skipped, not queued. */
  MAX_IN_FLIGHT: number
  /** How often the one-line summary is logged. */
  SUMMARY_INTERVAL_MS: number
  LOG_LEVEL: typeof LOG_LEVELS[number]
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

/** Raised for any invalid variable; the message names the variable and what was wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

interface SchemaError { instancePath: string, message?: string, params: { allowedValues?: readonly unknown[] } }

/**
 * Validates and defaults the settings. Pure: reads only `env`. Only the first failure is
 * reported, phrased with the variable's name as an operator types it.
 */
export function loadLoadConfig (env: NodeJS.ProcessEnv): LoadConfig {
  // Empty strings count as unset, as they do for most twelve-factor services.
  const data = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''))
  let config: LoadConfig
  try {
    config = envSchema<LoadConfig>({ schema, data, env: false, dotenv: false })
  } catch (error) {
    const { instancePath, message, params } = (error as Error & { errors: SchemaError[] }).errors[0]!
    const variable = instancePath.slice(1)
    throw new ConfigError(`Invalid configuration: ${variable} ${params.allowedValues ? `must be one of ${params.allowedValues.join(', ')}` : message} (got ${JSON.stringify(env[variable])})`)
  }
  const url = URL.parse(config.TARGET_URL)
  if (url === null || !['http:', 'https:'].includes(url.protocol)) {
    throw new ConfigError(`Invalid configuration: TARGET_URL must be an http:// or https:// URL (got ${JSON.stringify(config.TARGET_URL)})`)
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
