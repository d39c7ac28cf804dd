import { once } from 'node:events'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import t from 'tap'
import type { LocalStack } from '../../src/local-run/stack.ts'
import { loadDashboard, panelQueries, substituteGrafanaVariables } from '../../src/monitoring/dashboard.ts'
import { readRuleNames } from '../../src/monitoring/prometheus-config.ts'
import { PrometheusApi } from '../../src/monitoring/prometheus-api.ts'
import { prometheus3, startPrometheus } from '../../src/monitoring/prometheus-server.ts'
import { smoke, SmokeFailure } from '../../src/smoke/checks.ts'
import { fetchJson, request, waitFor } from '../../src/support/http.ts'
import { freePort } from '../../src/support/ports.ts'
import { startTestStack, TEST_INTERVAL_SECONDS } from './helpers.ts'

// What `make run` starts (the real service-a, the stack's config and rules), on the cluster's
// major version, Prometheus 3.x, with a 1 s interval (the only test override) to keep it short.

const INTERVAL_SECONDS = TEST_INTERVAL_SECONDS
const runDir = t.testdir()
let stack: LocalStack
let prometheus: PrometheusApi
let trafficStart: number

t.before(async () => {
  stack = await startTestStack(t, runDir)
  prometheus = new PrometheusApi(stack.prometheusUrl)
  t.comment(`Prometheus ${await prometheus.version()}`)
  trafficStart = Math.floor(Date.now() / 1000)
  // Matched routes, a client error and unmatched paths, for a few scrapes' worth of time.
  const paths = ['/', '/hello/ada', '/hello/bob?delay=2', '/hello/eve?delay=bad', '/no/such/path', '/favicon.ico']
  for (let i = 0, end = Date.now() + 6_000; Date.now() < end; i++) {
    await Promise.all(paths.map(async (path) => (await request(stack.serviceUrl + path)).arrayBuffer()))
    if (i % 20 === 0) await sleep(50)
  }
})

t.test('the service-a target is up, and unmatched paths are counted under one route label', async (t) => {
  t.match(await prometheus.query('up{job="service-a"}'), [{ value: [Number, '1'] }])
  t.equal((await prometheus.query('http_requests_total{job="service-a", route="<unmatched>", status_code="404"}')).length, 1)
})

t.test('Prometheus 3 asks for OpenMetrics with the header it really sends, and service-a serves it OpenMetrics 1.0.0', async (t) => {
  // A second Prometheus 3 with the same derived config, its service-a target moved to a
  // pass-through proxy on loopback that records what was asked for and what was served.
  const exchanges: Array<{ accept: string, contentType: string }> = []
  const proxy = createServer(async (incoming, outgoing) => {
    const accept = incoming.headers.accept ?? ''
    const upstream = await request(`${stack.serviceUrl}${incoming.url}`, { headers: { accept } })
    const contentType = upstream.headers.get('content-type') ?? ''
    exchanges.push({ accept, contentType })
    outgoing.writeHead(upstream.status, { 'content-type': contentType }).end(await upstream.text())
  }).listen(0, '127.0.0.1')
  await once(proxy, 'listening')
  t.teardown(() => { proxy.close() })
  const dir = join(runDir, 'prometheus-through-proxy')
  mkdirSync(dir, { recursive: true })
  const serviceAddress = new URL(stack.serviceUrl).host
  const config = readFileSync(join(runDir, 'prometheus', 'prometheus.yml'), 'utf8')
  t.ok(config.includes(serviceAddress), 'the derived config scrapes service-a at its loopback address')
  writeFileSync(join(dir, 'prometheus.yml'), config.replaceAll(serviceAddress, `127.0.0.1:${(proxy.address() as { port: number }).port}`))
  const second = await startPrometheus({ binary: prometheus3(), configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data'), port: await freePort(), logFile: join(dir, 'prometheus.log') })
  t.teardown(() => second.child.stop())
  const api = new PrometheusApi(second.url)
  await waitFor('the proxied service-a target up', async () => (await api.targets()).find((target) => target.labels.job === 'service-a' && target.health === 'up'), 30_000)
  const [scrape] = exchanges
  t.comment(`Prometheus ${await api.version()} sent Accept: ${scrape!.accept}`)
  t.match(scrape!.accept, /^application\/openmetrics-text;version=1\.0\.0;escaping=[\w-]+;q=[\d.]+,/, 'OpenMetrics 1.0.0 first, with the escaping parameter that once made service-a answer text')
  t.equal(scrape!.contentType, 'application/openmetrics-text; version=1.0.0; charset=utf-8')
  t.same(new Set(exchanges.map((exchange) => exchange.contentType)), new Set([scrape!.contentType]), 'every scrape so far')
})

t.test('after Prometheus has scraped OpenMetrics, curl gets the text format with the same names, clean for promtool', async (t) => {
  // Prometheus keeps each family's metadata under the name the page gave it: OpenMetrics names a
  // counter's family without _total, the text format with it. So this proves what it parsed.
  const metadata = await fetchJson<{ data: Record<string, Array<{ type: string }>> }>(`${stack.prometheusUrl}/api/v1/metadata?metric=http_requests`)
  t.match(metadata.data.http_requests, [{ type: 'counter' }], 'the stack\'s Prometheus parsed OpenMetrics')
  const text = await (await request(`${stack.serviceUrl}/metrics`)).text()
  t.match(text, /^http_requests_total\{/m, 'counters keep _total in the text format')
  t.notMatch(text, /^http_requests\{/m)
  const promtool = join(dirname(prometheus3()), 'promtool')
  const lint = await execa(promtool, ['check', 'metrics'], { input: text, reject: false })
  const problems = `${lint.stdout}\n${lint.stderr}`.split('\n').filter((line) => line.trim() !== '')
  // prom-client's default gauges named *_total are the one known exception (README, "Metrics").
  const unexpected = problems.filter((line) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(line))
  t.same(unexpected, [], 'promtool check metrics finds nothing about http_*, service_a_*, process_*')
})

t.test('every recording rule produces series; the error ratio is 0 on healthy traffic', async (t) => {
  for (const record of readRuleNames().records) {
    // Rules that read other rules need a few evaluations: the wait is generous for a loaded machine.
    await waitFor(record, async () => (await prometheus.query(record)).length > 0 || undefined, 60_000)
    t.pass(record)
  }
  t.match(await prometheus.query('job:http_request_error_ratio:rate5m{job="service-a"}'), [{ value: [Number, '0'] }])
})

t.test('every dashboard panel query returns data', async (t) => {
  const end = Math.floor(Date.now() / 1000)
  const range = { rangeSeconds: end - trafficStart, intervalSeconds: INTERVAL_SECONDS, scrapeIntervalSeconds: INTERVAL_SECONDS }
  const queries = panelQueries(loadDashboard())
  t.ok(queries.length >= 15)
  for (const query of queries) {
    const expr = substituteGrafanaVariables(query.expr, range)
    t.ok((await prometheus.queryRange(expr, trafficStart, end, INTERVAL_SECONDS)).length > 0, `${query.panel} (${query.refId}): ${expr}`)
  }
})

t.test('every alert is loaded and none is pending or firing on healthy traffic', async (t) => {
  t.equal((await prometheus.rules()).filter((rule) => rule.type === 'alerting').length, readRuleNames().alerts.length)
  t.same((await prometheus.alerts()).filter((alert) => alert.state !== 'inactive').map((alert) => alert.labels.alertname), [])
})

t.test('the smoke check passes against the running stack, and fails against one that is not there', async (t) => {
  const options = { serviceUrl: stack.serviceUrl, prometheusUrl: stack.prometheusUrl, grafanaUrl: `http://127.0.0.1:${await freePort()}`, grafanaUser: 'admin', grafanaPassword: 'admin' }
  const lines: string[] = []
  await smoke(options, (line) => lines.push(line))
  t.match(lines, [/^ok .*service-a answers/, /^ok .*scrapes service-a/, /^ok .*every rule/, /^skip {2}Alertmanager is not reachable/, /^skip {2}Grafana is not reachable/])
  await t.rejects(smoke({ ...options, serviceUrl: options.grafanaUrl }, () => {}), new SmokeFailure(`service-a answers at ${options.grafanaUrl}/ and ${options.grafanaUrl}/readyz: ${options.grafanaUrl}/ is not reachable: ECONNREFUSED`))
})

t.test('Prometheus 3 normalises le: the bucket prom-client exposes as le="N" is found as le="N.0" only', async (t) => {
  const exposed = await (await request(`${stack.serviceUrl}/metrics`)).text()
  const le = /^http_request_duration_seconds_bucket\{.*le="(\d+)"/m.exec(exposed)?.[1]
  t.ok(le, 'the text exposition has a bucket with an integer bound')
  const bucket = (value: string): string => `http_request_duration_seconds_bucket{job="service-a", le="${value}"}`
  t.ok((await prometheus.query(bucket(`${le}.0`))).length > 0, `le="${le}.0" finds the series`)
  t.same(await prometheus.query(bucket(le!)), [], `le="${le}" finds none`)
})

t.test('Prometheus 3 range selectors are left-open: a window that starts on a sample leaves it out', async (t) => {
  const [series] = await prometheus.query('up{job="service-a"}[10s]')
  const [first, last] = series!.values!.slice(-2).map(([time]) => Math.round(time * 1000)) as [number, number]
  const count = async (windowMs: number): Promise<string | undefined> =>
    (await prometheus.query(`count_over_time(up{job="service-a"}[${windowMs}ms])`, (last / 1000).toFixed(3)))[0]?.value?.[1]
  t.equal(await count(last - first), '1', 'the window (first, last] holds the last sample only')
  t.equal(await count(last - first + 1), '2', 'one millisecond more takes the first one in')
})

t.test('Prometheus killed with SIGKILL keeps the samples scraped before, on restart', async (t) => {
  const at = Math.floor(Date.now() / 1000) - 1
  const expr = 'sum by (route) (http_requests_total{job="service-a"})'
  const before = await prometheus.query(expr, at)
  t.ok(before.length >= 3)
  t.equal(await stack.children.find((child) => child.name === 'prometheus')!.stop('SIGKILL'), 'SIGKILL')
  const dir = join(runDir, 'prometheus')
  const restarted = await startPrometheus({ binary: prometheus3(), configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data'), port: await freePort(), logFile: join(dir, 'restarted.log') })
  t.teardown(() => restarted.child.stop())
  t.same(await new PrometheusApi(restarted.url).query(expr, at), before)
})
