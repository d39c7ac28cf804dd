import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { samples } from './helper.ts'
import { getAll, rawRequest, startServer } from './server-process.ts'

async function inFlight (url: string): Promise<number | undefined> {
  return samples(await (await fetch(`${url}/metrics`)).text()).get('http_requests_in_flight')
}

t.test('SIGTERM: readiness turns 503, the request in flight completes, exit code 0', async (t) => {
  const server = await startServer(t, { SHUTDOWN_DELAY_MS: '400' })
  const slow = fetch(`${server.url}/hello/Ada?delay=800`)
  await sleep(100)
  server.child.kill('SIGTERM')
  await sleep(100)
  const readiness = await fetch(`${server.url}/readyz`)
  t.equal(readiness.status, 503, 'not ready while draining')
  t.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still live while draining')
  const response = await slow
  t.equal(response.status, 200)
  t.same(await response.json(), { message: 'Hello, Ada!' })
  t.equal(await server.exited, 0)
  const messages = server.logs.map((line) => line.msg)
  t.ok(messages.indexOf('shutting down') < messages.indexOf('request completed'), 'shutdown began while the request was in flight')
  t.ok(messages.indexOf('request completed') < messages.indexOf('shutdown complete'), 'and completed before the process ended')
  t.match(server.logs.find((line) => line.msg === 'shutting down'), { signal: 'SIGTERM' })
})

t.test('SIGTERM with idle, silent, half-sent and slow-body connections open exits 0 within the delay plus a second', async (t) => {
  const server = await startServer(t, { SHUTDOWN_DELAY_MS: '300' })
  const sockets = ['', 'GET / HTTP/1.1\r\nHost: x\r\n', 'POST /hello/Ada HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n']
    .map((bytes) => connect(server.port, '127.0.0.1').on('connect', function (this: Socket) { this.write(bytes) }).on('error', () => {}))
  await sleep(200)
  const killedAt = Date.now()
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
  const took = Date.now() - killedAt
  t.ok(took < 1300, `exit 0 after ${took} ms`)
  for (const socket of sockets) socket.destroy()
})

t.test('a response sent while shutting down says Connection: close', async (t) => {
  const server = await startServer(t, { SHUTDOWN_DELAY_MS: '500' })
  const answer = rawRequest(server.port, 'GET /hello/Ada?delay=300 HTTP/1.1\r\nHost: x\r\n\r\n')
  await sleep(100)
  server.child.kill('SIGTERM')
  t.match(await answer, /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n/i, 'and the server closed the connection after it')
  t.equal(await server.exited, 0)
})

t.test('a client that sends its body too slowly is cut off at REQUEST_TIMEOUT_MS with a 408; a slow handler is not', async (t) => {
  const server = await startServer(t, { REQUEST_TIMEOUT_MS: '1000' })
  const slowHandler = fetch(`${server.url}/hello/Ada?delay=1500`)
  const client = connect(server.port, '127.0.0.1')
  client.write('POST /hello/Ada HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n')
  const drip = setInterval(() => client.write(' '), 100)
  let answer = ''
  client.on('data', (chunk: Buffer) => { answer += chunk.toString() })
  const startedAt = Date.now()
  await once(client, 'close')
  clearInterval(drip)
  const took = Date.now() - startedAt
  t.ok(took >= 1000 && took < 3500, `cut off after ${took} ms (the timeout, checked every second), one byte every 100 ms notwithstanding`)
  t.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  t.equal((await slowHandler).status, 200, 'a handler slower than the timeout still answers: the bound is on receiving the request')
  for (let waited = 0; waited < 2000 && await inFlight(server.url) !== 0; waited += 100) await sleep(100)
  t.equal(await inFlight(server.url), 0, 'the cut-off request gave its in-flight slot back')
})

t.test('SIGINT shuts down the same way', async (t) => {
  const server = await startServer(t)
  server.child.kill('SIGINT')
  t.equal(await server.exited, 0)
})

t.test('a request that outlasts SHUTDOWN_TIMEOUT_MS is cut off and the exit code is 1', async (t) => {
  const server = await startServer(t, { SHUTDOWN_TIMEOUT_MS: '300' })
  const slow = fetch(`${server.url}/hello/Ada?delay=5000`).catch((error: unknown) => error)
  await sleep(100)
  const killedAt = Date.now()
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 1)
  t.ok(Date.now() - killedAt < 3000, 'the timeout bounds the shutdown')
  t.type(await slow, Error, 'the cut-off client sees its connection fail')
})

t.test('an uncaught error is logged, the server drains, and the exit code is 1', async (t) => {
  // A signal handler that throws stands in for a bug anywhere in the process.
  const bug = 'data:text/javascript,process.on("SIGUSR2", () => { throw new Error("a bug") })'
  const server = await startServer(t, {}, ['--import', bug])
  server.child.kill('SIGUSR2')
  t.equal(await server.exited, 1)
  t.match(server.logs.find((line) => line.msg === 'shutting down after an uncaught error'), { level: 50, err: { message: 'a bug' } })
})

t.test('with tracing off, nothing of OpenTelemetry but its API is loaded; with tracing on, its SDK is', async (t) => {
  // Node's module hooks report every OpenTelemetry module (the API aside) and @fastify/otel as they resolve.
  const watch = 'import { registerHooks } from "node:module"; registerHooks({ resolve (specifier, context, next) { const found = next(specifier, context); if (/node_modules\\/(@opentelemetry\\/(?!api\\/)|@fastify\\/otel\\/)/.test(found.url)) process.stderr.write("loaded " + found.url + "\\n"); return found } })'
  const args = ['--import', `data:text/javascript,${encodeURIComponent(watch)}`]
  const off = await startServer(t, {}, args)
  t.equal((await fetch(`${off.url}/hello/Ada`)).status, 200)
  t.equal(off.stderr(), '', 'no SDK module')
  const on = await startServer(t, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, args)
  t.match(on.stderr(), /loaded \S+@opentelemetry\/sdk-node\//, 'the watch sees the SDK when tracing is on')
})

t.test('invalid configuration: one clear line on stderr and exit code 1', async (t) => {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('../src/server.ts', import.meta.url))], {
    env: { ...process.env, PORT: 'eighty' },
    encoding: 'utf8'
  })
  t.equal(result.status, 1)
  t.equal(result.stderr, 'Invalid configuration: PORT must be integer (got "eighty")\n')
  t.equal(result.stdout, '')
})

t.test('10,000 random unmatched paths add no series and keep /metrics small', async (t) => {
  const server = await startServer(t, { LOG_LEVEL: 'warn' })
  await fetch(`${server.url}/nothing-here`)
  const before = await (await fetch(`${server.url}/metrics`)).text()
  const paths = Array.from({ length: 10_000 }, (_, i) => `/${i}/${Math.random().toString(36).slice(2)}?q=${i}`)
  t.same(new Set(await getAll(server.port, paths, 32)), new Set([404]), 'every one of them a 404')
  const after = await (await fetch(`${server.url}/metrics`)).text()
  const seriesOf = (text: string): string[] => [...samples(text).keys()].filter((key) => key.startsWith('http_'))
  t.same(seriesOf(after), seriesOf(before), 'the same series before and after')
  t.equal(samples(after).get('http_requests_total{method="GET",route="<unmatched>",status_code="404"}'), 10_001)
  // Only the request metrics' lines: the runtime's own (GC kinds seen for the first time) may grow.
  const httpBytes = (text: string): number => text.split('\n').filter((line) => line.includes('http_')).join('\n').length
  t.ok(httpBytes(after) < httpBytes(before) + 200, `the request metrics grew by ${httpBytes(after) - httpBytes(before)} bytes only`)
})

t.test('a port already in use stops start-up with the error and exit code 1', async (t) => {
  const first = await startServer(t)
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('../src/server.ts', import.meta.url))], {
    env: { ...process.env, PORT: String(first.port), HOST: '127.0.0.1' },
    encoding: 'utf8'
  })
  t.equal(result.status, 1)
  t.match(result.stderr, /EADDRINUSE/)
})

t.test('malformed HTTP gets a 4xx with a JSON body and the server keeps serving', async (t) => {
  const server = await startServer(t)
  const cases: Array<[string, string, RegExp]> = [
    ['garbage request line', 'NOT HTTP AT ALL\r\n\r\n', /^HTTP\/1\.1 400 Bad Request/],
    ['unknown method', 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 Bad Request/],
    ['oversized headers', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 Request Header Fields Too Large/],
    ['bad header characters', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', /^HTTP\/1\.1 400 Bad Request/],
    ['invalid content-length', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n', /^HTTP\/1\.1 400 Bad Request/],
    // RFC 9112 §6.3: no knowable body length. (For an unmatched path Node's parser lets the 404 out first.)
    ['a final transfer coding other than chunked', 'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n', /^HTTP\/1\.1 400 Bad Request/]
  ]
  for (const [name, bytes, status] of cases) {
    const answer = await rawRequest(server.port, bytes)
    t.match(answer, status, name)
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4)
    t.match(JSON.parse(body), { statusCode: Number, error: String, message: String }, `${name}: JSON body`)
    t.notMatch(answer, /at .+:\d+:\d+/, `${name}: no stack trace`)
  }
  const still = await fetch(`${server.url}/`)
  t.equal(still.status, 200, 'still serving')
  t.equal(server.child.exitCode, null, 'still running')
})

t.test('clients that hang up mid-request give their in-flight slot back, and are counted and logged as 499', async (t) => {
  const server = await startServer(t)
  const slow = connect(server.port, '127.0.0.1')
  slow.write('GET /hello/Ada?delay=300 HTTP/1.1\r\nHost: x\r\n\r\n')
  const unfinished = connect(server.port, '127.0.0.1')
  unfinished.write('POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"half":')
  await sleep(150)
  t.equal(await inFlight(server.url), 2, 'both requests are in flight')
  slow.destroy()
  unfinished.destroy()
  await sleep(400)
  const page = samples(await (await fetch(`${server.url}/metrics`)).text())
  t.equal(page.get('http_requests_in_flight'), 0, 'both slots were given back')
  t.equal(page.get('http_requests_total{method="GET",route="/hello/:name",status_code="499"}'), 1)
  t.equal(page.get('http_requests_total{method="POST",route="<unmatched>",status_code="499"}'), 1)
  t.equal(page.get('http_request_duration_seconds_count{method="GET",route="/hello/:name",status_code="499"}'), 1)
  t.ok(page.get('http_request_duration_seconds_sum{method="GET",route="/hello/:name",status_code="499"}')! >= 0.1, 'the time the client waited')
  const lines = server.logs.filter((line) => line.statusCode === 499)
  t.match(lines, [
    { msg: 'client closed the connection before the response', method: 'GET', route: '/hello/:name', url: '/hello/Ada?delay=300', responseTime: Number },
    { msg: 'client closed the connection before the response', method: 'POST', route: '<unmatched>', url: '/nowhere' }
  ])
})

t.test('scraped as Prometheus does (OpenMetrics), then by curl (text), then again: one set of names', async (t) => {
  const server = await startServer(t, { LOG_LEVEL: 'warn' })
  await fetch(`${server.url}/hello/Ada`)
  const formats: string[] = []
  const scrapeAs = async (accept: string): Promise<string[]> => {
    const response = await fetch(`${server.url}/metrics`, { headers: { accept } })
    formats.push(response.headers.get('content-type')!)
    return [...samples(await response.text()).keys()].filter((name) => /^(http_|service_a_|process_cpu)/.test(name)).sort()
  }
  // Prometheus 3's Accept header (its escaping parameter once made this page fall back to text).
  const openMetrics = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
  const first = await scrapeAs(openMetrics)
  const text = await scrapeAs('*/*')
  t.ok(text.includes('http_requests_total{method="GET",route="/hello/:name",status_code="200"}'))
  t.ok(text.includes('process_cpu_seconds_total'))
  t.same(first, text)
  t.same(await scrapeAs(openMetrics), text)
  t.same(formats.map((type) => type.split(';')[0]), ['application/openmetrics-text', 'text/plain', 'application/openmetrics-text'], 'the formats asked for')
})
