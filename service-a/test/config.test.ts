import t from 'tap'
import { ConfigError, loadConfig, tracingEnabled } from '../src/config.ts'

t.test('defaults suit a container: port 8080 on every interface, info logs, no shutdown delay, 30 s to send a request', async (t) => {
  t.strictSame(loadConfig({}), {
    PORT: 8080,
    HOST: '0.0.0.0',
    LOG_LEVEL: 'info',
    SHUTDOWN_DELAY_MS: 0,
    SHUTDOWN_TIMEOUT_MS: 10_000,
    REQUEST_TIMEOUT_MS: 30_000,
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    OTEL_SDK_DISABLED: false
  })
  t.notOk(tracingEnabled(loadConfig({})), 'no tracing without an OTLP endpoint')
})

t.test('values are read from the environment and coerced to numbers', async (t) => {
  const config = loadConfig({ PORT: '9000', HOST: '127.0.0.1', LOG_LEVEL: 'debug', SHUTDOWN_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '5000', UNRELATED: 'x' })
  t.match(config, { PORT: 9000, HOST: '127.0.0.1', LOG_LEVEL: 'debug', SHUTDOWN_DELAY_MS: 5000, SHUTDOWN_TIMEOUT_MS: 20_000, REQUEST_TIMEOUT_MS: 5000 })
})

t.test('an empty variable counts as unset', async (t) => {
  t.equal(loadConfig({ PORT: '' }).PORT, 8080)
})

t.test('an invalid value is one message naming the variable, the rule and the value', async (t) => {
  const cases: Array<[NodeJS.ProcessEnv, string]> = [
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be integer (got "abc")'],
    [{ PORT: '70000' }, 'Invalid configuration: PORT must be <= 65535 (got "70000")'],
    [{ PORT: '0' }, 'Invalid configuration: PORT must be >= 1 (got "0")'],
    [{ PORT: '80.5' }, 'Invalid configuration: PORT must be integer (got "80.5")'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ SHUTDOWN_DELAY_MS: '-1' }, 'Invalid configuration: SHUTDOWN_DELAY_MS must be >= 0 (got "-1")'],
    [{ SHUTDOWN_TIMEOUT_MS: 'soon' }, 'Invalid configuration: SHUTDOWN_TIMEOUT_MS must be integer (got "soon")'],
    [{ REQUEST_TIMEOUT_MS: '0' }, 'Invalid configuration: REQUEST_TIMEOUT_MS must be >= 1000 (got "0")'],
    [{ REQUEST_TIMEOUT_MS: '600000' }, 'Invalid configuration: REQUEST_TIMEOUT_MS must be <= 300000 (got "600000")'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }, 'Invalid configuration: OTEL_EXPORTER_OTLP_ENDPOINT must match pattern "^https?://[^\\s/]+(/\\S*)?$" (got "jaeger:4318")'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'Invalid configuration: OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio (got "sometimes")'],
    [{ OTEL_TRACES_SAMPLER_ARG: '10%' }, 'Invalid configuration: OTEL_TRACES_SAMPLER_ARG must be number (got "10%")'],
    [{ OTEL_TRACES_SAMPLER_ARG: '2' }, 'Invalid configuration: OTEL_TRACES_SAMPLER_ARG must be <= 1 (got "2")'],
    [{ OTEL_SDK_DISABLED: 'maybe' }, 'Invalid configuration: OTEL_SDK_DISABLED must be boolean (got "maybe")']
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), new ConfigError(message), message)
  }
})

t.test('a shutdown delay that leaves no time to drain is refused', async (t) => {
  t.throws(() => loadConfig({ SHUTDOWN_DELAY_MS: '10000', SHUTDOWN_TIMEOUT_MS: '10000' }), {
    name: 'ConfigError',
    message: 'Invalid configuration: SHUTDOWN_DELAY_MS must be less than SHUTDOWN_TIMEOUT_MS (got 10000 and 10000)'
  })
})

t.test('tracing runs with an OTLP endpoint (the generic or the traces one) unless OTEL_SDK_DISABLED is true', async (t) => {
  const cases: Array<[NodeJS.ProcessEnv, boolean]> = [
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_SDK_DISABLED: 'false' }, false]
  ]
  for (const [env, enabled] of cases) t.equal(tracingEnabled(loadConfig(env)), enabled, JSON.stringify(env))
})
