import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { ALERTMANAGER_CONFIG } from '../../src/alerting/alertmanager.ts'
import { readRuleNames } from '../../src/monitoring/prometheus-config.ts'
import { smoke, SmokeFailure, smokeOptions } from '../../src/smoke/checks.ts'
import { REPO_ROOT } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { start } from '../../src/support/processes.ts'
import { fakeServer, tempDir, type Handler } from './helpers.ts'

// The smoke check against stand-ins of a healthy or broken stack (e2e and local-run run it on real ones).

const names = readRuleNames()
const api = (data: unknown): object => ({ status: 'success', data }) // a Prometheus API answer
const allRules = [...names.records, ...names.alerts].map((name) => ({ name, health: 'ok' }))
const target = (health: string, lastError = ''): object => api({ activeTargets: [{ labels: { job: 'service-a' }, health, lastError, scrapeUrl: 'http://service-a:80/metrics' }] })
type Part = 'service' | 'prometheus' | 'alertmanager' | 'grafana'
const healthy: Record<Part, Record<string, object | Handler>> = {
  service: { '/': { message: 'Hello, world!' }, '/readyz': { status: 'ok' } },
  prometheus: {
    '/api/v1/targets': target('up'),
    '/api/v1/rules': api({ groups: [{ name: 'all', rules: allRules }] }),
    '/api/v1/alertmanagers': api({ activeAlertmanagers: [{ url: 'http://10.0.0.7:9093/api/v2/alerts' }] })
  },
  alertmanager: { '/-/ready': {}, '/api/v2/status': { config: { original: readFileSync(ALERTMANAGER_CONFIG, 'utf8') } } },
  grafana: { '/api/health': { database: 'ok' }, '/api/datasources/uid/prometheus/health': { status: 'OK' }, '/api/dashboards/uid/service-a': { dashboard: {} } }
}

/** The smoke check's report lines and failure against the healthy stand-ins as `breakIt` leaves them, or with the part it names not there. */
async function run (t: Test, breakIt: ((stack: typeof healthy) => void) | Part = () => {}): Promise<{ lines: string[], error?: Error }> {
  const stack = structuredClone(healthy)
  if (typeof breakIt === 'function') breakIt(stack)
  const url = async (part: Part): Promise<string> => part === breakIt ? `http://127.0.0.1:${await freePort()}` : await fakeServer(t, stack[part])
  const lines: string[] = []
  const options = { serviceUrl: await url('service'), prometheusUrl: await url('prometheus'), grafanaUrl: await url('grafana'), alertmanagerUrl: await url('alertmanager'), grafanaUser: 'admin', grafanaPassword: 'secret' }
  const error = await smoke(options, (line) => lines.push(line)).then(() => undefined, (error: Error) => error)
  if (error !== undefined) t.type(error, SmokeFailure)
  return { lines, error }
}

t.test('a healthy stack passes every check, Alertmanager and Grafana included; an unreachable one is skipped with a message', async (t) => {
  t.match(await run(t), { lines: [/^ok/, /^ok/, /^ok/, /^ok {4}Alertmanager is ready/, /^ok {4}Grafana is healthy/], error: undefined })
  t.match(await run(t, 'grafana'), { lines: [/^ok/, /^ok/, /^ok/, /^ok/, /^skip {2}Grafana is not reachable/], error: undefined })
  t.match(await run(t, 'alertmanager'), { lines: [/^ok/, /^ok/, /^ok/, /^skip {2}Alertmanager is not reachable/, /^ok {4}Grafana/], error: undefined })
})

t.test('each broken part stops the check with a message naming it', async (t) => {
  const cases: Array<[string, Part | ((stack: typeof healthy) => void), RegExp]> = [
    ['service-a is not there', 'service', /^service-a answers at (http:\/\/127\.0\.0\.1:\d+)\/ and \1\/readyz: \1\/ is not reachable: ECONNREFUSED$/],
    ['service-a answers something else', (s) => { s.service['/'] = { message: 'bye' } }, /service-a answers .*GET \/ answered \{"message":"bye"\}/],
    ['service-a is not ready', (s) => { delete s.service['/readyz'] }, /readyz answered 404/],
    ['no service-a target', (s) => { s.prometheus['/api/v1/targets'] = api({ activeTargets: [] }) }, /no target of job service-a/],
    ['the target is down', (s) => { s.prometheus['/api/v1/targets'] = target('down', 'connection refused') }, /http:\/\/service-a:80\/metrics is down: connection refused/],
    ['the target is not scraped yet', (s) => { s.prometheus['/api/v1/targets'] = target('unknown') }, /metrics is unknown: not scraped yet/],
    ['a rule is missing', (s) => { s.prometheus['/api/v1/rules'] = api({ groups: [{ name: 'all', rules: allRules.slice(1) }] }) }, new RegExp(`not loaded: ${allRules[0]!.name}`)],
    ['a rule fails', (s) => {
      s.prometheus['/api/v1/rules'] = api({ groups: [{ name: 'all', rules: [...allRules.slice(1), { name: allRules[0]!.name, health: 'err', lastError: 'bad' }] }] })
    }, /fails: bad/],
    ['Alertmanager is not ready', (s) => { s.alertmanager['/-/ready'] = (_, response) => response.writeHead(503).end() }, /Alertmanager is ready .*\/-\/ready answered 503/],
    ['Alertmanager runs another config', (s) => { s.alertmanager['/api/v2/status'] = { config: { original: 'route:\n  receiver: other\n' } } }, /routes to other grouped by undefined, not as alertmanager\/alertmanager.yml \(replace-me/],
    ['Prometheus sends to no Alertmanager', (s) => { s.prometheus['/api/v1/alertmanagers'] = api({ activeAlertmanagers: [] }) }, /sends alerts to no Alertmanager/],
    ['Grafana\'s database is down', (s) => { s.grafana['/api/health'] = { database: 'failing' } }, /database is failing/],
    ['the datasource cannot reach Prometheus', (s) => { s.grafana['/api/datasources/uid/prometheus/health'] = { status: 'ERROR', message: 'refused' } }, /datasource prometheus is ERROR: refused/],
    ['the dashboard is missing', (s) => { delete s.grafana['/api/dashboards/uid/service-a'] }, /dashboards\/uid\/service-a answered 404/],
    ['a Grafana that answers, but not JSON', (s) => { s.grafana['/api/health'] = (_, response) => response.end('<html>') }, /Grafana is healthy .*not JSON: <html>/]
  ]
  for (const [name, breakIt, message] of cases) t.match((await run(t, breakIt)).error?.message, message, name)
})

t.test('options come from arguments, then the environment, then the local defaults; Grafana\'s credentials from the stack\'s generated admin secret', async (t) => {
  const none = join(tempDir(t), 'none.env')
  t.same(smokeOptions([], {}, none), {
    serviceUrl: 'http://localhost:9000', prometheusUrl: 'http://localhost:9090', grafanaUrl: 'http://localhost:3000', alertmanagerUrl: 'http://localhost:9093', grafanaUser: 'admin', grafanaPassword: 'admin'
  })
  const env = { SERVICE_URL: 'http://a:1/', PROMETHEUS_URL: 'http://b:2', GRAFANA_URL: 'http://c:3', ALERTMANAGER_URL: 'http://d:4/', GRAFANA_USER: 'u', GRAFANA_PASSWORD: 'p' }
  t.same(smokeOptions([], env, none), { serviceUrl: 'http://a:1', prometheusUrl: 'http://b:2', grafanaUrl: 'http://c:3', alertmanagerUrl: 'http://d:4', grafanaUser: 'u', grafanaPassword: 'p' })
  t.match(smokeOptions(['http://x:1', 'https://y:2', 'http://z:3'], env, none), { serviceUrl: 'http://x:1', prometheusUrl: 'https://y:2', grafanaUrl: 'http://z:3' })
  t.throws(() => smokeOptions(['localhost:9000'], {}, none), /usage: smoke/)
  t.throws(() => smokeOptions(['http://a', 'http://b', 'http://c', 'http://d'], {}, none), /usage: smoke/)
  const secret = join(tempDir(t), 'grafana-admin.secret.env')
  writeFileSync(secret, 'admin-user=root\nadmin-password=s3cr=t\n# comment\n')
  t.match(smokeOptions([], {}, secret), { grafanaUser: 'root', grafanaPassword: 's3cr=t' })
  t.match(smokeOptions([], { GRAFANA_PASSWORD: 'env' }, secret), { grafanaUser: 'root', grafanaPassword: 'env' })
})

t.test('the smoke command exits 2 with its usage on a bad argument', async (t) => {
  const command = start(process.execPath, ['tools/src/smoke/main.ts', 'localhost:9000'], { cwd: REPO_ROOT })
  t.equal(await command.exited, 2)
  t.match(command.output(), /^smoke: usage: smoke \[SERVICE_URL/)
})
