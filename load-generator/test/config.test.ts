import t from 'tap'
import { ConfigError, loadLoadConfig } from '../src/config.ts'

t.test('defaults: service-a on its default local port, 3 requests a second, a summary a minute, no health port', async (t) => {
  t.same(loadLoadConfig({}), { TARGET_URL: 'http://127.0.0.1:8080', REQUESTS_PER_SECOND: 3, MAX_IN_FLIGHT: 20, SUMMARY_INTERVAL_MS: 60_000, LOG_LEVEL: 'info', HEALTH_PORT: undefined, HEALTH_HOST: '0.0.0.0' })
})

t.test('values are read from the environment; a rate may be a fraction; a trailing slash is dropped', async (t) => {
  const config = loadLoadConfig({ TARGET_URL: 'http://service-a/', REQUESTS_PER_SECOND: '0.5', MAX_IN_FLIGHT: '4', SUMMARY_INTERVAL_MS: '1000', LOG_LEVEL: 'warn', HEALTH_PORT: '8080', HEALTH_HOST: '127.0.0.1', PORT: 'not mine' })
  t.same(config, { TARGET_URL: 'http://service-a', REQUESTS_PER_SECOND: 0.5, MAX_IN_FLIGHT: 4, SUMMARY_INTERVAL_MS: 1000, LOG_LEVEL: 'warn', HEALTH_PORT: 8080, HEALTH_HOST: '127.0.0.1' })
})

t.test('an invalid value is one message naming the variable, the rule and the value', async (t) => {
  const cases: Array<[NodeJS.ProcessEnv, string]> = [
    [{ TARGET_URL: 'service-a:80' }, 'TARGET_URL must be an http:// or https:// URL (got "service-a:80")'],
    [{ TARGET_URL: 'ftp://service-a' }, 'TARGET_URL must be an http:// or https:// URL (got "ftp://service-a")'],
    [{ REQUESTS_PER_SECOND: '0' }, 'REQUESTS_PER_SECOND must be > 0 (got "0")'],
    [{ REQUESTS_PER_SECOND: 'lots' }, 'REQUESTS_PER_SECOND must be number (got "lots")'],
    [{ MAX_IN_FLIGHT: '2.5' }, 'MAX_IN_FLIGHT must be integer (got "2.5")'],
    [{ SUMMARY_INTERVAL_MS: '10' }, 'SUMMARY_INTERVAL_MS must be >= 100 (got "10")'],
    [{ HEALTH_PORT: '70000' }, 'HEALTH_PORT must be <= 65535 (got "70000")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")']
  ]
  for (const [env, reason] of cases) {
    t.throws(() => loadLoadConfig(env), new ConfigError(`Invalid configuration: ${reason}`), reason)
  }
})
