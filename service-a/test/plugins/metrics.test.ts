import { METHODS } from 'node:http'
import type { InjectOptions } from 'fastify'
import t from 'tap'
import { DURATION_BUCKETS_SECONDS, OTHER_METHOD } from '../../src/metrics/http-metrics.ts'
import { UNMATCHED_ROUTE } from '../../src/metrics/http-metrics.ts'
import { build, samples, scrape } from '../helper.ts'

const ok = (route: string, method = 'GET', status = 200): string =>
  `{method="${method}",route="${route}",status_code="${status}"}`

t.test('GET /metrics exposes the HTTP metrics with their exact names, types and help', async (t) => {
  const app = await build(t)
  await app.inject('/')
  const response = await app.inject('/metrics')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  for (const [name, type] of [
    ['http_requests_total', 'counter'],
    ['http_request_duration_seconds', 'histogram'],
    ['http_requests_in_flight', 'gauge'],
    ['http_request_errors_total', 'counter'],
    ['service_a_build_info', 'gauge']
  ]) {
    t.match(response.body, new RegExp(`^# HELP ${name} [A-Z].+\\.$`, 'm'), `${name} has a sentence of help`)
    t.match(response.body, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `${name} is a ${type}`)
  }
})

t.test("prom-client's default Node.js and process metrics are there, unprefixed", async (t) => {
  const app = await build(t)
  const body = (await app.inject('/metrics')).body
  for (const name of [
    'process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds',
    'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds',
    'nodejs_active_handles_total', 'nodejs_version_info'
  ]) {
    t.match(body, new RegExp(`^# TYPE ${name} `, 'm'), name)
  }
})

t.test('service_a_build_info is 1, labelled with the service and Node.js versions', async (t) => {
  const app = await build(t)
  const metrics = await scrape(app)
  t.equal(metrics.get(`service_a_build_info{version="0.1.0",nodejs_version="${process.version}"}`), 1)
})

t.test('requests are counted and timed by method, route template and status code', async (t) => {
  const app = await build(t)
  await app.inject('/hello/Ada')
  await app.inject('/hello/Grace')
  await app.inject('/hello/Ada?delay=bad')
  await app.inject({ method: 'HEAD', url: '/' })
  const metrics = await scrape(app)
  t.equal(metrics.get(`http_requests_total${ok('/hello/:name')}`), 2, 'both names under one route template')
  t.equal(metrics.get(`http_requests_total${ok('/hello/:name', 'GET', 400)}`), 1)
  t.equal(metrics.get(`http_requests_total${ok('/', 'HEAD')}`), 1)
  t.equal(metrics.get(`http_request_duration_seconds_count${ok('/hello/:name')}`), 2)
  t.ok(metrics.get(`http_request_duration_seconds_sum${ok('/hello/:name')}`)! > 0, 'durations are summed')
  const buckets = [...metrics.keys()].filter((key) => key.startsWith('http_request_duration_seconds_bucket') && key.includes('status_code="400"'))
  t.same(buckets.map((key) => /le="([^"]+)"/.exec(key)![1]), [...DURATION_BUCKETS_SECONDS.map(String), '+Inf'])
  t.notOk([...metrics.keys()].some((key) => key.includes('Ada') || key.includes('Grace')), 'no raw URL ever becomes a label')
})

t.test('a route serving several methods labels each request with its own method', async (t) => {
  const app = await build(t, {
    extra: (app) => app.route({ method: ['GET', 'POST'], url: '/both', handler: async () => ({ ok: true }) })
  })
  await app.inject({ method: 'GET', url: '/both' })
  await app.inject({ method: 'POST', url: '/both' })
  const metrics = await scrape(app)
  t.equal(metrics.get(`http_requests_total${ok('/both', 'GET')}`), 1)
  t.equal(metrics.get(`http_requests_total${ok('/both', 'POST')}`), 1)
})

t.test("a route's own hooks keep running beside the instrumentation", async (t) => {
  const seen: string[] = []
  const app = await build(t, {
    extra: (app) => app.get('/own-hooks', {
      onRequest: async () => { seen.push('onRequest') },
      onResponse: [async () => { seen.push('onResponse') }]
    }, async () => ({ ok: true }))
  })
  await app.inject('/own-hooks')
  t.same(seen, ['onRequest', 'onResponse'])
  t.equal((await scrape(app)).get(`http_requests_total${ok('/own-hooks')}`), 1)
})

t.test('every unmatched request is counted under one route label, whatever its path', async (t) => {
  const app = await build(t)
  for (let i = 0; i < 50; i++) await app.inject(`/random/${Math.random()}`)
  await app.inject({ method: 'DELETE', url: '/' })
  const metrics = await scrape(app)
  t.equal(metrics.get(`http_requests_total${ok(UNMATCHED_ROUTE, 'GET', 404)}`), 50)
  t.equal(metrics.get(`http_requests_total${ok(UNMATCHED_ROUTE, 'DELETE', 404)}`), 1)
  t.equal([...metrics.keys()].filter((key) => key.startsWith('http_requests_total')).length, 2)
})

t.test('of the 34 methods Node.js parses, those outside the standard seven share one label value', async (t) => {
  const app = await build(t)
  const methodsSeen = async (): Promise<string[]> => [...new Set([...(await scrape(app)).keys()]
    .flatMap((key) => /^http_requests_total\{method="([^"]+)"/.exec(key)?.[1] ?? []))].sort()
  // CONNECT never reaches the router: Node.js hands it to the server's 'connect' event.
  for (const method of METHODS.filter((m) => m !== 'CONNECT')) await app.inject({ method: method as InjectOptions['method'], url: '/nowhere' })
  t.same(await methodsSeen(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', OTHER_METHOD])
  for (const method of ['PROPFIND', 'MKCOL', 'PURGE', 'SEARCH']) await app.inject({ method: method as InjectOptions['method'], url: '/nowhere' })
  t.same(await methodsSeen(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', OTHER_METHOD], 'more of them add no series')
  const others = [...(await scrape(app))].filter(([key]) => key.startsWith(`http_requests_total{method="${OTHER_METHOD}"`))
  t.equal(others.reduce((sum, [, value]) => sum + value, 0), METHODS.length - 8 + 4, 'every one of them counted')
})

t.test('/metrics, /healthz and /readyz are kept out of the request metrics', async (t) => {
  const app = await build(t)
  await app.inject('/healthz')
  await app.inject('/readyz')
  await app.inject('/metrics')
  const metrics = await scrape(app)
  t.notOk([...metrics.keys()].some((key) => key.startsWith('http_requests_total')), 'nothing counted')
})

t.test('the in-flight gauge counts requests being served and returns to zero', async (t) => {
  const app = await build(t)
  const slow = app.inject('/hello/Ada?delay=200')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal((await scrape(app)).get('http_requests_in_flight'), 1, 'one request in flight')
  await slow
  t.equal((await scrape(app)).get('http_requests_in_flight'), 0, 'none after it finished')
})

t.test('unhandled errors are counted with a bounded error label', async (t) => {
  const app = await build(t, {
    extra: (app) => {
      app.get('/type-error', async () => { throw new TypeError('oops') })
      app.get('/coded', async () => { throw Object.assign(new Error('fail'), { code: 'ECONNREFUSED' }) })
      app.get('/client', async () => { throw Object.assign(new Error('nope'), { statusCode: 409 }) })
    }
  })
  await app.inject('/type-error')
  await app.inject('/type-error')
  await app.inject('/coded')
  await app.inject('/client')
  const metrics = await scrape(app)
  t.equal(metrics.get('http_request_errors_total{method="GET",route="/type-error",error="TypeError"}'), 2)
  t.equal(metrics.get('http_request_errors_total{method="GET",route="/coded",error="ECONNREFUSED"}'), 1)
  t.notOk([...metrics.keys()].some((key) => key.includes('route="/client"') && key.startsWith('http_request_errors_total')), '4xx is not an unhandled error')
  t.equal(metrics.get(`http_requests_total${ok('/type-error', 'GET', 500)}`), 2, 'failed requests are counted as requests too')
})

t.test('an error before routing is counted under the unmatched route', async (t) => {
  const app = await build(t, {
    extra: (app) => app.addHook('onRequest', async (request) => {
      if (request.url === '/explode') throw new Error('hook failed')
    })
  })
  t.equal((await app.inject('/explode')).statusCode, 500)
  const metrics = await scrape(app)
  t.equal(metrics.get(`http_request_errors_total{method="GET",route="${UNMATCHED_ROUTE}",error="Error"}`), 1)
  t.equal(metrics.get('http_requests_in_flight'), 0, 'a request whose hooks failed holds no in-flight slot')
})

/** The Accept headers Prometheus sends with its default scrape protocols. */
const PROMETHEUS_2_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
// prometheus/prometheus v3.14.0, scrape/scrape_test.go; the e2e test captures 3.5's own.
const PROMETHEUS_3_ACCEPT = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
const PROMETHEUS_ACCEPT = PROMETHEUS_2_ACCEPT

t.test('every Accept header Prometheus 2.x and 3.x send gets OpenMetrics 1.0.0; anything else gets text', async (t) => {
  const app = await build(t)
  await app.inject('/')
  const contentTypeFor = async (accept: string | undefined): Promise<string | undefined> =>
    (await app.inject({ url: '/metrics', headers: accept === undefined ? {} : { accept } })).headers['content-type'] as string | undefined
  const openMetrics = 'application/openmetrics-text; version=1.0.0; charset=utf-8'
  const text = 'text/plain; version=0.0.4; charset=utf-8'
  const cases: Array<[string, string | undefined, string]> = [
    ['Prometheus 2.x', PROMETHEUS_2_ACCEPT, openMetrics],
    ['Prometheus 3.x', PROMETHEUS_3_ACCEPT, openMetrics],
    ['Prometheus 3.x, names escaped with underscores', PROMETHEUS_3_ACCEPT.replaceAll('allow-utf-8', 'underscores'), openMetrics],
    ['OpenMetrics with no version', 'application/openmetrics-text', openMetrics],
    ['an OpenMetrics version this page does not speak', 'application/openmetrics-text;version=2.0.0', text],
    ['the same, with text as the fallback', 'application/openmetrics-text;version=2.0.0,text/plain;q=0.5', text],
    ['text 1.0.0 only (UTF-8 names)', 'text/plain;version=1.0.0;escaping=allow-utf-8', text],
    ['curl', '*/*', text],
    ['no Accept at all', undefined, text],
    ['plain text', 'text/plain', text],
    ['something else entirely', 'application/json', text]
  ]
  for (const [name, accept, expected] of cases) t.equal(await contentTypeFor(accept), expected, name)
})

t.test('the OpenMetrics page names counter families without _total and ends with # EOF; the series are those of the text page', async (t) => {
  const app = await build(t)
  await app.inject('/')
  const openMetrics = await app.inject({ url: '/metrics', headers: { accept: PROMETHEUS_3_ACCEPT } })
  t.match(openMetrics.body, /^# TYPE http_requests counter$/m, 'OpenMetrics names the counter family without _total')
  t.match(openMetrics.body, /# EOF\n?$/)
  t.equal(samples(openMetrics.body).get(`http_requests_total${ok('/')}`), 1, 'both formats show the same series')
})

t.test('sample names and values are the same in both formats, whatever order they are scraped in', async (t) => {
  const app = await build(t)
  await app.inject('/hello/Ada')
  await app.inject('/nope')
  const scrapeAs = async (accept: string): Promise<Map<string, number>> =>
    samples((await app.inject({ url: '/metrics', headers: { accept } })).body)
  const ours = (page: Map<string, number>): Map<string, number> =>
    new Map([...page].filter(([name]) => /^(http_|service_a_|process_cpu)/.test(name)))
  const first = ours(await scrapeAs(PROMETHEUS_ACCEPT))
  const text = ours(await scrapeAs('text/plain'))
  const again = ours(await scrapeAs(PROMETHEUS_ACCEPT))
  const names = (page: Map<string, number>): string[] => [...page.keys()].sort()
  t.ok(text.has(`http_requests_total${ok('/hello/:name')}`), 'the text format keeps _total after an OpenMetrics scrape')
  t.ok(text.has('process_cpu_seconds_total'), "so do prom-client's default counters")
  t.same(names(first), names(text), 'OpenMetrics, then text: the same sample names')
  t.same(names(again), names(text), 'and OpenMetrics again')
  for (const name of names(text).filter((name) => !name.startsWith('process_cpu'))) {
    t.equal(first.get(name), text.get(name), `${name} has one value in both`)
  }
  const textPage = (await app.inject({ url: '/metrics', headers: { accept: 'text/plain' } })).body
  t.match(textPage, /^# TYPE http_requests_total counter$/m, 'text metadata names the counter with _total')
  t.notMatch(textPage, /^http_requests\{/m)
})

t.test('a counter with labels that has counted nothing yet shows no sample in either format', async (t) => {
  const app = await build(t)
  const text = (await app.inject({ url: '/metrics', headers: { accept: 'text/plain' } })).body
  const openMetrics = (await app.inject({ url: '/metrics', headers: { accept: PROMETHEUS_ACCEPT } })).body
  for (const page of [text, openMetrics]) t.notMatch(page, /^http_request_errors_total/m)
})

t.test('URLs that the router rejects are answered with a 4xx and counted under the unmatched route', async (t) => {
  const logLines: Array<Record<string, unknown>> = []
  const app = await build(t, { logLines })
  const badEncoding = await app.inject('/hello/%E0%A4%A')
  t.equal(badEncoding.statusCode, 400)
  t.same(badEncoding.json(), { statusCode: 400, error: 'Bad Request', message: "'/hello/%E0%A4%A' is not a valid url component" })
  const overLong = await app.inject(`/hello/${'x'.repeat(200)}`)
  t.equal(overLong.statusCode, 414)
  t.match(overLong.json(), { statusCode: 414, error: 'URI Too Long', message: /exceeding the max param length/ })
  const metrics = await scrape(app)
  t.equal(metrics.get(`http_requests_total${ok(UNMATCHED_ROUTE, 'GET', 400)}`), 1)
  t.equal(metrics.get(`http_requests_total${ok(UNMATCHED_ROUTE, 'GET', 414)}`), 1)
  t.equal(metrics.get(`http_request_duration_seconds_count${ok(UNMATCHED_ROUTE, 'GET', 400)}`), 1)
  t.equal(metrics.get('http_requests_in_flight'), 0)
  t.match(logLines.filter((line) => line.msg === 'request completed'), [
    { route: UNMATCHED_ROUTE, url: '/hello/%E0%A4%A', statusCode: 400 },
    { route: UNMATCHED_ROUTE, statusCode: 414 }
  ], 'one access-log line each')
})

t.test('each app instance has its own registry', async (t) => {
  const first = await build(t)
  const second = await build(t)
  await first.inject('/')
  t.equal((await scrape(first)).get(`http_requests_total${ok('/')}`), 1)
  t.equal((await scrape(second)).get(`http_requests_total${ok('/')}`), undefined)
  t.not(first.metrics.registry, second.metrics.registry)
})
