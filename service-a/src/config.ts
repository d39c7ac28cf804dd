import envSchema from 'env-schema'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export interface Config {
  /** TCP port the HTTP server listens on. */
  PORT: number
  /** Interface to bind; 0.0.0.0 so that kubelet probes reach the pod IP. */
  HOST: string
  LOG_LEVEL: typeof LOG_LEVELS[number]
  /** How long readiness reports 503 before the server stops accepting connections. */
  SHUTDOWN_DELAY_MS: number
  /** Upper bound for the whole shutdown; past it the process force-exits with code 1. */
  SHUTDOWN_TIMEOUT_MS: number
  /** How long a client may take to send a whole request (headers and body); then 408 and close. */
  REQUEST_TIMEOUT_MS: number
  /**
   * OpenTelemetry's standard variables. Its SDK reads them itself (the sampler's too); they are
   * validated here so that a typo stops start-up with one clear line. Tracing runs only with an
   * endpoint set and the SDK not disabled.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string
  OTEL_SDK_DISABLED: boolean
}

/** Whether service-a traces its requests and exports the spans: see `Config`'s OTEL_* fields. */
export function tracingEnabled (config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SDK_DISABLED'>): boolean {
  return !config.OTEL_SDK_DISABLED && (config.OTEL_EXPORTER_OTLP_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) !== undefined
}

const URL_PATTERN = '^https?://[^\\s/]+(/\\S*)?$'

const schema = {
  type: 'object',
  required: [],
  additionalProperties: true,
  properties: {
    PORT: { type: 'integer', minimum: 1, maximum: 65535, default: 8080 },
    HOST: { type: 'string', minLength: 1, default: '0.0.0.0' },
    LOG_LEVEL: { type: 'string', enum: LOG_LEVELS, default: 'info' },
    SHUTDOWN_DELAY_MS: { type: 'integer', minimum: 0, maximum: 300_000, default: 0 },
    SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 300_000, default: 10_000 },
    // Fastify's default is no limit at all; Node.js's own, 300 s, is far more than a GET needs.
    REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 1_000, maximum: 300_000, default: 30_000 },
    OTEL_EXPORTER_OTLP_ENDPOINT: { type: 'string', pattern: URL_PATTERN },
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { type: 'string', pattern: URL_PATTERN },
    OTEL_SDK_DISABLED: { type: 'boolean', default: false },
    OTEL_TRACES_SAMPLER: { type: 'string', enum: ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] },
    OTEL_TRACES_SAMPLER_ARG: { type: 'number', minimum: 0, maximum: 1 }
  }
} as const

/** Raised for any invalid variable; the message names the variable and what was wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

interface SchemaError { instancePath: string, message?: string, params: { allowedValues?: readonly unknown[] } }

/**
 * Validates and defaults the service's configuration. Pure: reads only `env`.
 * Only the first failure is reported, phrased with the variable's name as an operator types it.
 */
export function loadConfig (env: NodeJS.ProcessEnv): Config {
  const config = validateEnv<Config>(schema, env)
  if (config.SHUTDOWN_DELAY_MS >= config.SHUTDOWN_TIMEOUT_MS) {
    return invalid(`SHUTDOWN_DELAY_MS must be less than SHUTDOWN_TIMEOUT_MS (got ${config.SHUTDOWN_DELAY_MS} and ${config.SHUTDOWN_TIMEOUT_MS})`)
  }
  return {
    PORT: config.PORT,
    HOST: config.HOST,
    LOG_LEVEL: config.LOG_LEVEL,
    SHUTDOWN_DELAY_MS: config.SHUTDOWN_DELAY_MS,
    SHUTDOWN_TIMEOUT_MS: config.SHUTDOWN_TIMEOUT_MS,
    REQUEST_TIMEOUT_MS: config.REQUEST_TIMEOUT_MS,
    OTEL_EXPORTER_OTLP_ENDPOINT: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    OTEL_SDK_DISABLED: config.OTEL_SDK_DISABLED
  }
}

/**
 * env-schema's validation and defaults, with its first failure turned into one ConfigError that
 * names the variable.
 */
function validateEnv<T> (schema: object, env: NodeJS.ProcessEnv): T {
  // Empty strings count as unset, as they do for most twelve-factor services.
  const data = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''))
  try {
    return envSchema<T>({ schema, data, env: false, dotenv: false })
  } catch (error) {
    const [first] = (error as Error & { errors: SchemaError[] }).errors
    return invalid(describe(first!, env))
  }
}

function invalid (reason: string): never {
  throw new ConfigError(`Invalid configuration: ${reason}`)
}

function describe (error: SchemaError, env: NodeJS.ProcessEnv): string {
  const variable = error.instancePath.slice(1)
  const allowed = error.params.allowedValues
  const rule = allowed ? `must be one of ${allowed.join(', ')}` : error.message
  return `${variable} ${rule} (got ${JSON.stringify(env[variable])})`
}
