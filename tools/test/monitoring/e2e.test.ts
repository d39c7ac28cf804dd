import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { startLocalStack, type LocalStack } from '../../src/local-run/stack.ts'
import { loadDashboard, panelQueries, substituteGrafanaVariables } from '../../src/monitoring/dashboard.ts'
import { freePort } from '../../src/support/ports.ts'
import { request, waitFor } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { PrometheusApi } from '../../src/monitoring/prometheus-api.ts'
import { readRuleNames } from '../../src/monitoring/prometheus-config.ts'
import { startPrometheus } from '../../src/monitoring/prometheus-server.ts'

// The whole local run against the real service-a and the system's Prometheus: what `make run`
// starts, with a 1s scrape and evaluation interval (the only test override) to keep it short.

const INTERVAL_SECONDS = 1
const runDir = t.testdir()
let stack: LocalStack
let prometheus: PrometheusApi
let trafficStart: number

t.before(async () => {
  stack = await startLocalStack({
    servicePort: await freePort(),
    prometheusPort: await freePort(),
    grafanaPort: await freePort(),
    runDir,
    interval: `${INTERVAL_SECONDS}s`,
    serviceLogFile: join(runDir, 'service-a.log'),
    log: () => {},
    // No Grafana here, even where one is installed: its start is covered by grafana.test.ts.
    env: { ...process.env, PATH: process.env.PATH!.split(':').filter((dir) => !/grafana/.test(dir)).join(':') }
  })
  prometheus = new PrometheusApi(stack.prometheusUrl)
  trafficStart = Math.floor(Date.now() / 1000)
  await driveTraffic(stack.serviceUrl, 6_000)
})
t.teardown(() => stack?.stop())

/** Matched routes, a client error and unmatched paths, for a few scrapes' worth of time. */
async function driveTraffic (url: string, durationMs: number): Promise<void> {
  const paths = ['/', '/hello/ada', '/hello/bob?delay=2', '/hello/eve?delay=bad', '/no/such/path', '/favicon.ico']
  const deadline = Date.now() + durationMs
  for (let i = 0; Date.now() < deadline; i++) {
    await Promise.all(paths.map(async (path) => (await request(url + path)).arrayBuffer()))
    if (i % 20 === 0) await sleep(50)
  }
}

t.test('Prometheus scrapes the service-a target and it is up', async (t) => {
  const up = await prometheus.query('up{job="service-a"}')
  t.equal(up.length, 1)
  t.equal(up[0]?.value?.[1], '1')
  const unmatched = await prometheus.query('http_requests_total{job="service-a", route="<unmatched>", status_code="404"}')
  t.equal(unmatched.length, 1, 'unmatched paths are counted under one route label')
})

t.test('every recording rule produces series', async (t) => {
  for (const record of readRuleNames(PATHS.prometheusRules).records) {
    const series = await waitFor(`series of ${record}`, async () => {
      const result = await prometheus.query(record)
      return result.length > 0 ? result : undefined
    }, 20_000)
    t.ok(series.length > 0, record)
  }
  const ratio = await prometheus.query('job:http_request_error_ratio:rate5m{job="service-a"}')
  t.equal(ratio[0]?.value?.[1], '0', 'no 5xx on healthy traffic: the error ratio is 0')
})

t.test('every dashboard panel query returns data without error', async (t) => {
  const end = Math.floor(Date.now() / 1000)
  const range = { rangeSeconds: end - trafficStart, intervalSeconds: INTERVAL_SECONDS, scrapeIntervalSeconds: INTERVAL_SECONDS }
  const queries = panelQueries(loadDashboard(PATHS.dashboard))
  t.ok(queries.length >= 15)
  for (const query of queries) {
    const expr = substituteGrafanaVariables(query.expr, range)
    const result = await prometheus.queryRange(expr, trafficStart, end, INTERVAL_SECONDS)
    t.ok(result.length > 0, `${query.panel} (${query.refId}): ${expr}`)
  }
})

t.test('no alert is pending or firing on healthy traffic', async (t) => {
  const loaded = (await prometheus.ruleGroups()).flatMap((group) => group.rules).filter((rule) => rule.type === 'alerting')
  t.equal(loaded.length, readRuleNames(PATHS.prometheusRules).alerts.length, 'every alert is loaded')
  const active = (await prometheus.alerts()).filter((alert) => alert.state !== 'inactive')
  t.same(active.map((alert) => alert.labels.alertname), [])
})

t.test('make smoke passes against the running stack', async (t) => {
  const env = { ...process.env, SERVICE_URL: stack.serviceUrl, PROMETHEUS_URL: stack.prometheusUrl, GRAFANA_URL: `http://127.0.0.1:${await freePort()}` }
  const result = spawnSync('make', ['--no-print-directory', 'smoke'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 })
  t.equal(result.status, 0, result.stderr)
  t.match(result.stdout, /smoke: every check passed/)
  const failing = spawnSync('make', ['--no-print-directory', 'smoke'], { cwd: REPO_ROOT, env: { ...env, SERVICE_URL: env.GRAFANA_URL }, encoding: 'utf8', timeout: 60_000 })
  t.not(failing.status, 0, 'and fails against a stack that is not there')
  t.match(failing.stderr, /FAIL {2}service-a answers at .*not reachable/)
})

t.test('Prometheus killed with SIGKILL keeps the samples scraped before, on restart', async (t) => {
  const at = Math.floor(Date.now() / 1000) - 1
  const expr = 'sum by (route) (http_requests_total{job="service-a"})'
  const before = await prometheus.query(expr, at)
  t.ok(before.length >= 3)
  const killed = stack.children.find((child) => child.name === 'prometheus')!
  t.equal(await killed.stop('SIGKILL'), 'SIGKILL')

  const dir = join(runDir, 'prometheus')
  const port = await freePort()
  const restarted = await startPrometheus({ configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data'), port, logFile: join(dir, 'restarted.log') })
  t.teardown(() => restarted.child.stop())
  const after = await new PrometheusApi(restarted.url).query(expr, at)
  t.same(after, before)
})
