import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { otlpReceiver, type OtlpReceiver } from './otlp-receiver.ts'
import { startServer, type ServerProcess } from './server-process.ts'

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c'
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0'

/** service-a exporting to `receiver` in batches every 100 ms (the SDK's own variable), all sampled unless said. */
async function tracedServer (t: Test, receiver: OtlpReceiver, env: Record<string, string> = {}): Promise<ServerProcess> {
  return await startServer(t, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'service-a', OTEL_BSP_SCHEDULE_DELAY: '100', ...env })
}

async function spansOf (receiver: OtlpReceiver, traceId: string, count: number): Promise<OtlpReceiver['spans']> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const spans = receiver.spans.filter((span) => span.traceId === traceId)
    if (spans.length >= count) return spans
    await sleep(50)
  }
  throw new Error(`fewer than ${count} spans of trace ${traceId} arrived: ${JSON.stringify(receiver.spans.map((s) => s.name))}`)
}

const page = async (server: ServerProcess, accept = '*/*'): Promise<string> =>
  await (await fetch(`${server.url}/metrics`, { headers: { accept } })).text()

t.test('a traced request continues the incoming trace: spans named by route template, greet a child span, ids in every log line, exemplars on OpenMetrics only', async (t) => {
  const receiver = await otlpReceiver(t)
  const server = await tracedServer(t, receiver)
  const response = await fetch(`${server.url}/hello/Ada?delay=5`, { headers: { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01`, 'x-request-id': 'traced-1' } })
  t.equal(response.status, 200)

  const spans = await spansOf(receiver, TRACE_ID, 3)
  const request = spans.find((span) => span.name === 'GET /hello/:name')
  t.ok(request, `the request span is named by method and route template: ${spans.map((span) => span.name).join(', ')}`)
  t.equal(request!.parentSpanId, 'b7ad6b7169203331', 'its parent is the caller\'s span from traceparent')
  t.equal(request!.service, 'service-a', 'OTEL_SERVICE_NAME names the service')
  const greet = spans.find((span) => span.name === 'greet')
  t.ok(greet, 'the instrumented function has a span of its own')
  t.not(greet!.parentSpanId, undefined)
  t.ok(spans.some((span) => span.spanId === greet!.parentSpanId), 'a child within the same trace')
  t.notOk(spans.some((span) => span.name.includes('Ada')), 'no span is named by the raw URL')

  await sleep(400) // the log is written in batches, at least every 250 ms
  const lines = server.logs.filter((line) => line.requestId === 'traced-1')
  t.ok(lines.length >= 1)
  t.match(lines, lines.map(() => ({ trace_id: TRACE_ID, span_id: /^[0-9a-f]{16}$/ })), 'every line of the request, the access-log line included')
  t.match(lines.at(-1), { msg: 'request completed', trace_id: TRACE_ID })

  const openMetrics = await page(server, OPENMETRICS)
  t.match(openMetrics, new RegExp(`^http_request_duration_seconds_bucket\\{[^}]*route="/hello/:name"[^}]*\\} 1 # \\{trace_id="${TRACE_ID}"\\} 0\\.\\d+ \\d+(\\.\\d+)?$`, 'm'), 'the latency bucket points to the trace')
  t.match(openMetrics, new RegExp(`^service_a_function_duration_seconds_bucket\\{[^}]*function="greet"[^}]*\\} 1 # \\{trace_id="${TRACE_ID}"\\}`, 'm'), 'and so does the function\'s')
  t.notMatch(openMetrics, /^http_requests_total\{.*#/m, 'counters carry no exemplars')
  const text = await page(server)
  t.notMatch(text, /#\s*\{/, 'the text page has none')
  t.match(text, /^http_requests_total\{method="GET",route="\/hello\/:name",status_code="200"\} 1$/m)
})

t.test('an unsampled or malformed traceparent: no exemplar, no error, no log line about it', async (t) => {
  const receiver = await otlpReceiver(t)
  const server = await tracedServer(t, receiver, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })
  const unsampled = await fetch(`${server.url}/hello/Bob`, { headers: { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-00`, 'x-request-id': 'unsampled' } })
  t.equal(unsampled.status, 200)
  for (const traceparent of ['garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', `99-${TRACE_ID}`]) {
    t.equal((await fetch(`${server.url}/`, { headers: { traceparent } })).status, 200, traceparent)
  }
  await sleep(300)
  t.same(receiver.spans.filter((span) => span.traceId === TRACE_ID), [], 'the caller chose not to sample: nothing exported')
  t.equal(receiver.spans.filter((span) => span.name === 'GET /').length, 3, 'malformed ones start traces of their own')
  await fetch(`${server.url}/no/such/path`)
  await sleep(300)
  t.ok(receiver.spans.some((span) => span.name === 'GET <unmatched>'), 'an unmatched path is named as the metrics label it')
  t.equal((await fetch(`${server.url}/hello/%E0%A4%A`)).status, 400, 'a URL the router rejects has no span, and is still answered')
  t.match(await page(server, OPENMETRICS), /http_request_duration_seconds_count\{method="GET",route="<unmatched>",status_code="400"\} 1\n/, 'and counted, with no exemplar')
  t.notMatch(await page(server, OPENMETRICS), /route="\/hello\/:name".*# \{trace_id/, 'no exemplar points to a trace that was not kept')
  t.match(server.logs.find((line) => line.requestId === 'unsampled'), { trace_id: TRACE_ID }, 'its log lines still carry the ids')
  t.same(server.logs.filter((line) => (line.level as number) >= 40), [], 'no warning or error')
})

t.test('with the collector down, requests are unaffected and the SDK complains once a minute at most', async (t) => {
  const receiver = await otlpReceiver(t)
  // Each export gives up (retries included) after 300 ms: OpenTelemetry's own variable.
  const server = await tracedServer(t, { ...receiver, url: 'http://127.0.0.1:9' }, { OTEL_EXPORTER_OTLP_TIMEOUT: '300' })
  const startedAt = Date.now()
  while (Date.now() - startedAt < 3000) {
    t.equal((await fetch(`${server.url}/hello/Eve`)).status, 200)
    await sleep(50)
  }
  await sleep(400)
  const complaints = server.logs.filter((line) => line.component === 'opentelemetry')
  t.equal(complaints.length, 1, 'one line for the many exports that failed')
  t.match(complaints[0], { level: 40, heldBack: 0, msg: /ECONNREFUSED/ })
  t.notOk('trace_id' in complaints[0]!, 'it carries no request\'s trace ids')
})

t.test('SIGTERM exports the spans still waiting in the batch before the process exits', async (t) => {
  const receiver = await otlpReceiver(t)
  const server = await tracedServer(t, receiver, { OTEL_BSP_SCHEDULE_DELAY: '60000' })
  await fetch(`${server.url}/hello/Ada`, { headers: { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` } })
  await sleep(200)
  t.same(receiver.spans, [], 'nothing exported yet')
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
  t.ok(receiver.spans.some((span) => span.traceId === TRACE_ID && span.name === 'GET /hello/:name'), 'the request\'s spans arrived')
})

t.test('a collector that never answers cannot hold the shutdown past its budget', async (t) => {
  const receiver = await otlpReceiver(t, { answer: false })
  const server = await tracedServer(t, receiver, { OTEL_BSP_SCHEDULE_DELAY: '60000', SHUTDOWN_TIMEOUT_MS: '1500' })
  await fetch(`${server.url}/hello/Ada`)
  const killedAt = Date.now()
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
  t.ok(Date.now() - killedAt < 1500, `exit 0 after ${Date.now() - killedAt} ms`)
  t.match(server.logs.find((line) => line.msg === 'spans not exported before shutdown: the collector did not answer in time'), { level: 40 })
})
