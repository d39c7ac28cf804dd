import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { startLocalStack, type LocalStack } from '../../src/local-run/stack.ts'
import { loadDashboard, panelQueries, substituteGrafanaVariables } from '../../src/monitoring/dashboard.ts'
import { readRuleNames, readRules } from '../../src/monitoring/prometheus-config.ts'
import { prometheus3, PrometheusApi, startPrometheus } from '../../src/monitoring/prometheus-server.ts'
import { fetchJson, request, waitFor } from '../../src/support/http.ts'
import { freePort } from '../../src/support/ports.ts'
import { TOOLS_BIN } from '../../src/support/paths.ts'
import { fakeServer, WITHOUT_GRAFANA } from './helpers.ts'

// What `make run` starts by default (service-a, its load generator as the only traffic, the
// stack's config and rules) on Prometheus 3.x, on free loopback ports, without Grafana. Test
// overrides only: a 1 s interval, 40 requests a second, a load summary every 2 s.

const INTERVAL_SECONDS = 1
const DEADLINE_MS = 60_000
const runDir = t.testdir()
const started = Date.now()
let stack: LocalStack
let prometheus: PrometheusApi

t.before(async () => {
  // The real Jaeger that make tools built, first on the PATH: make run starts it, and service-a traces.
  const env = { ...process.env, PATH: `${TOOLS_BIN}:${WITHOUT_GRAFANA}`, REQUESTS_PER_SECOND: '40', SUMMARY_INTERVAL_MS: '2000' }
  stack = await startLocalStack({ servicePort: await freePort(), prometheusPort: await freePort(), grafanaPort: await freePort(), runDir, prometheus: prometheus3(), interval: `${INTERVAL_SECONDS}s`, load: true, log: () => {}, env })
  t.teardown(() => stack.stop())
  prometheus = new PrometheusApi(stack.prometheusUrl)
  t.comment(`Prometheus ${await prometheus.version()}`)
})

/** The first answer of `get` that `ok` accepts, polled each second within the minute since the start. */
const within = async <T> (what: string, get: () => Promise<T>, ok: (value: T) => boolean): Promise<T> =>
  await waitFor(what, async () => { const value = await get(); return ok(value) ? value : undefined }, Math.max(DEADLINE_MS - (Date.now() - started), 1_000), undefined, 1_000)

t.test('within a minute of the start, with only the load generator sending, every dashboard query returns data', async (t) => {
  t.same(stack.children.map((child) => child.name).slice(0, 3), ['jaeger', 'service-a', 'load-generator'])
  const queries = panelQueries(loadDashboard())
  t.ok(queries.length >= 17)
  const from = Math.floor(started / 1000)
  for (const query of queries) {
    const series = await within(`data for ${query.panel} (${query.refId})`, async () => {
      const end = Math.floor(Date.now() / 1000)
      const expr = substituteGrafanaVariables(query.expr, { rangeSeconds: end - from, intervalSeconds: INTERVAL_SECONDS, scrapeIntervalSeconds: INTERVAL_SECONDS })
      return await prometheus.queryRange(expr, from, end, INTERVAL_SECONDS)
    }, (result) => result.length > 0)
    t.ok(series.length > 0, `${query.panel} (${query.refId})`)
  }
  t.ok(Date.now() - started < DEADLINE_MS, `all of them within ${DEADLINE_MS / 1000} s (${Math.round((Date.now() - started) / 1000)} s)`)
})

t.test('from a slow bucket to the very request: each exemplar query of the dashboard finds trace ids, and Jaeger has those traces', async (t) => {
  const queries = panelQueries(loadDashboard()).filter((query) => query.exemplar)
  t.ok(queries.length >= 3, 'the latency panels ask for exemplars')
  for (const query of queries) {
    const expr = substituteGrafanaVariables(query.expr, { rangeSeconds: 60, intervalSeconds: INTERVAL_SECONDS, scrapeIntervalSeconds: INTERVAL_SECONDS })
    // What Grafana asks Prometheus for a query with `exemplar: true`.
    type Found = Array<{ seriesLabels: Record<string, string>, exemplars: Array<{ labels: Record<string, string> }> }>
    const found = await within(`exemplars for ${query.panel}`, async () => (await fetchJson<{ data: Found }>(`${stack.prometheusUrl}/api/v1/query_exemplars`, {
      method: 'POST', body: new URLSearchParams({ query: expr, start: String(Math.floor(started / 1000)), end: String(Math.ceil(Date.now() / 1000)) })
    })).data.flatMap(({ seriesLabels, exemplars }) => exemplars.map(({ labels }) => ({ traceId: labels.trace_id!, seriesLabels }))), (ids) => ids.length > 0)
    t.match(found.map(({ traceId }) => traceId), found.map(() => /^[0-9a-f]{32}$/), `${query.panel} (${query.refId}): ${found.length} exemplars, each a trace_id`)
    // What Grafana's Jaeger datasource asks when an exemplar is clicked; the SDK exports in batches.
    const { traceId, seriesLabels } = found[0]!
    const trace = await within(`trace ${traceId} in Jaeger`, async () => await fetchJson<{ data: Array<{ spans: Array<{ operationName: string }> }> }>(`${stack.jaegerUrl}/api/traces/${traceId}`).catch(() => undefined), (answer) => answer !== undefined)
    const names = trace!.data[0]!.spans.map((span) => span.operationName)
    const expected = seriesLabels.function ?? `${seriesLabels.method} ${seriesLabels.route}`
    t.ok(names.includes(expected), `its trace is in Jaeger, with the span of that ${seriesLabels.function === undefined ? 'request' : 'call'} (${expected}): ${names.join(', ')}`)
  }
})

t.test('every recording rule produces series, the RED ones non-zero rates; 404s under one <unmatched> label, 400s, and no 5xx', async (t) => {
  t.match(await prometheus.query('up{job="service-a"}'), [{ value: [Number, '1'] }], 'the service-a target is up')
  const clientErrors = await within('400s and 404s', async () => (await prometheus.query('http_requests_total{job="service-a", status_code=~"4.."}')).map((series) => `${series.metric.route} ${series.metric.status_code}`).sort(), (found) => found.length >= 2)
  t.same(clientErrors, ['/hello/:name 400', '<unmatched> 404'], 'the generator\'s four unknown paths counted under one route label')
  /** The value of each series of `expr` by the label `by`, once every one of `keys` is there and positive. */
  const positive = async (expr: string, by: string, keys: string[]): Promise<Map<string, number>> => await within(`${expr} > 0 for ${by} ${keys.join(', ')}`,
    async () => new Map((await prometheus.query(expr)).map((series) => [series.metric[by] ?? '', Number(series.value?.[1])])), (values) => keys.every((key) => (values.get(key) ?? 0) > 0))
  const routes = await positive('job_route:http_requests:rate5m{job="service-a"}', 'route', ['/', '/hello/:name', '<unmatched>'])
  t.same([...routes.keys()].sort(), ['/', '/hello/:name', '<unmatched>'], 'requests per second on every route the mix sends')
  // Over a 5 m window with less than a minute of samples, rate() extrapolates only a little past
  // them, and divides by the whole window: positive, not yet the generator's rate.
  t.ok((await positive('job:http_requests:rate5m{job="service-a"}', 'job', ['service-a'])).get('service-a')! > 0, 'and in all')
  const quantiles = await positive('job_route:http_request_duration_seconds:histogram_quantile5m{job="service-a", route="/hello/:name"}', 'quantile', ['0.5', '0.9', '0.99'])
  t.ok(quantiles.get('0.99')! > quantiles.get('0.5')!, `latency has a shape: p50 ${quantiles.get('0.5')} s < p99 ${quantiles.get('0.99')} s`)
  t.ok((await positive('job_function:service_a_function_calls:rate5m{job="service-a"}', 'function', ['greet'])).get('greet')! > 0)
  for (const record of readRuleNames().records) {
    // Rules that read other rules need a few evaluations: the wait is generous for a loaded machine.
    await waitFor(record, async () => (await prometheus.query(record)).length > 0 || undefined, 60_000)
    t.pass(record)
  }
  t.match(await prometheus.query('job:http_request_error_ratio:rate5m{job="service-a"}'), [{ value: [Number, '0'] }], 'its 400s and 404s are no server errors')
})

t.test('Prometheus 3 asks for OpenMetrics with the header it really sends, and service-a serves it OpenMetrics 1.0.0', async (t) => {
  // A second Prometheus 3 on the derived config scrapes service-a through a recording pass-through proxy.
  const exchanges: Array<{ accept: string, contentType: string }> = []
  const proxy = await fakeServer(t, {
    '/metrics': async (incoming, outgoing) => {
      const accept = incoming.headers.accept ?? ''
      const upstream = await request(`${stack.serviceUrl}/metrics`, { headers: { accept } })
      exchanges.push({ accept, contentType: upstream.headers.get('content-type') ?? '' })
      outgoing.writeHead(upstream.status, { 'content-type': exchanges.at(-1)!.contentType }).end(await upstream.text())
    }
  })
  const dir = join(runDir, 'prometheus-through-proxy')
  mkdirSync(dir)
  const serviceAddress = new URL(stack.serviceUrl).host
  const config = readFileSync(join(runDir, 'prometheus', 'prometheus.yml'), 'utf8')
  t.ok(config.includes(serviceAddress), 'the derived config scrapes service-a at its loopback address')
  writeFileSync(join(dir, 'prometheus.yml'), config.replaceAll(serviceAddress, new URL(proxy).host))
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
  // prom-client's default gauges named *_total are the one known exception (service-a/README.md, "Metrics").
  const unexpected = problems.filter((line) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(line))
  t.same(unexpected, [], 'promtool check metrics finds nothing about http_*, service_a_*, process_*')
})

// The SLOs (prometheus/slos/service-a.yml, rules generated by Sloth) on the generator's mix.
t.test('SLOs: every SLO recording rule is a number for both SLOs, the budget left in [0, 1]; every alert loaded, none but the Watchdog active', async (t) => {
  const records = [...new Set(readRules().filter((rule) => rule.file === 'service-a-slos.yml').flatMap((rule) => rule.record ?? []))]
  t.ok(records.length >= 14, `${records.length} SLO recording rules`)
  const slos = ['requests-availability', 'requests-latency']
  for (const record of records) {
    // A number for each SLO: not NaN (0/0 of a window without requests), not absent.
    const values = await waitFor(`${record} for ${slos.join(' and ')}`, async () => {
      const found = new Map((await prometheus.query(`${record}{sloth_service="service-a"}`)).map((series) => [series.metric.sloth_slo, Number(series.value?.[1])]))
      return slos.every((slo) => Number.isFinite(found.get(slo))) ? found : undefined
    }, 60_000)
    t.same([...values.keys()].sort(), slos, `${record}: ${slos.map((slo) => `${slo} ${values.get(slo)}`).join(', ')}`)
  }
  const remaining = await prometheus.query('slo:period_error_budget_remaining:ratio{sloth_service="service-a"}')
  t.equal(remaining.length, 2)
  for (const series of remaining) {
    const value = Number(series.value![1])
    t.ok(value >= 0 && value <= 1, `${series.metric.sloth_slo}: ${value} of the budget left`)
  }
  t.equal((await prometheus.rules()).filter((rule) => rule.type === 'alerting').length, readRuleNames().alerts.length)
  const active = (await prometheus.alerts()).filter((alert) => alert.state !== 'inactive')
  t.match(active, [{ labels: { alertname: 'Watchdog', severity: 'none' }, state: 'firing' }], 'the Watchdog fires')
  t.equal(active.length, 1, 'no other alert (no burn-rate alert either) pends or fires')
})

t.test('what Prometheus 3 changed in PromQL: le="N" is stored as le="N.0"; range selectors are left-open', async (t) => {
  const le = /^http_request_duration_seconds_bucket\{.*le="(\d+)"/m.exec(await (await request(`${stack.serviceUrl}/metrics`)).text())?.[1]
  t.ok(le, 'the text exposition has a bucket with an integer bound')
  const bucket = (value: string): string => `http_request_duration_seconds_bucket{job="service-a", le="${value}"}`
  t.ok((await prometheus.query(bucket(`${le}.0`))).length > 0, `le="${le}.0" finds the series`)
  t.same(await prometheus.query(bucket(le!)), [], `le="${le}" finds none`)
  const [series] = await prometheus.query('up{job="service-a"}[10s]')
  const [first, last] = series!.values!.slice(-2).map(([time]) => Math.round(time * 1000)) as [number, number]
  const count = async (windowMs: number): Promise<string | undefined> =>
    (await prometheus.query(`count_over_time(up{job="service-a"}[${windowMs}ms])`, (last / 1000).toFixed(3)))[0]?.value?.[1]
  t.equal(await count(last - first), '1', 'the window (first, last] holds the last sample only')
  t.equal(await count(last - first + 1), '2', 'one millisecond more takes the first one in')
})

t.test('the load generator logs its summaries to the run folder, and stops with exit code 0', async (t) => {
  type Summary = { msg: string, statuses?: Record<string, number>, failures?: Record<string, number> }
  const read = (): Summary[] => readFileSync(join(runDir, 'load-generator.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Summary).filter((line) => line.msg === 'load summary')
  const summaries = await waitFor('a summary line', async () => { const found = read(); return found.length > 0 ? found : undefined }, 10_000)
  t.ok(summaries.some((summary) => (summary.statuses?.['200'] ?? 0) > 0), 'answers counted')
  t.same(summaries.flatMap((summary) => Object.keys(summary.failures ?? {})), [], 'and no failures')
  t.equal(await stack.children.find((child) => child.name === 'load-generator')!.stop(), 0)
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
