import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import pino from 'pino'
import t, { type Test } from 'tap'
import { startLoad, type LoadOptions, type Summary } from '../src/generator.ts'
import { planRequest, type PlannedRequest } from '../src/traffic.ts'
import { freePort, scrape, startServiceA, until } from './helper.ts'

type Line = Record<string, unknown> & { msg: string }

/** Runs the generator with a logger that collects its lines; stopped at teardown if the test did not. */
function load (t: Test, options: Partial<LoadOptions> & { targetUrl: string }): { lines: Line[], summaries: () => Summary[], stop: () => Promise<void> } {
  const lines: Line[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Line) } })
  const generator = startLoad({ requestsPerSecond: 100, maxInFlight: 20, summaryIntervalMs: 200, logger, ...options })
  t.teardown(generator.stop)
  const summaries = (): Summary[] => lines.filter((line) => line.msg === 'load summary') as unknown as Summary[]
  return { lines, summaries, stop: generator.stop }
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)
const total = (summaries: Summary[], pick: (s: Summary) => number): number => summaries.reduce((a, s) => a + pick(s), 0)

t.test('against a real service-a: every kind of answer, the expected statuses only, a summary per interval', async (t) => {
  const { url } = await startServiceA(t)
  // The slow request would be abandoned by stop(); without it every request gets its answer.
  const plan = (): PlannedRequest => { for (;;) { const next = planRequest(); if (next.kind !== 'slow') return next } }
  const run = load(t, { targetUrl: url, plan })
  // Until every kind has been answered at least once: on a busy machine the timers fire late.
  const answered = (): Record<string, number> => {
    const statuses: Record<string, number> = {}
    for (const summary of run.summaries()) for (const [code, n] of Object.entries(summary.statuses)) statuses[code] = (statuses[code] ?? 0) + n
    return statuses
  }
  await until(() => ['200', '400', '404'].every((code) => answered()[code] !== undefined) && total(run.summaries(), (s) => s.sent) >= 100, 'every kind of answer')
  await run.stop()
  const summaries = run.summaries()
  const statuses = answered()
  t.ok(summaries.length >= 3, `a summary every 200 ms and one at the stop (${summaries.length})`)
  t.match(summaries[0], { seconds: Number, sent: Number, statuses: Object, failures: {}, skipped: 0, inFlight: Number })
  t.same(Object.keys(statuses).sort(), ['200', '400', '404'], 'only the expected statuses')
  t.equal(total(summaries, (s) => sum(s.failures)), 0)
  t.match(run.lines[0], { msg: 'load generator started', targetUrl: url, requestsPerSecond: 100, maxInFlight: 20 })

  const metrics = await scrape(url)
  const counted = (route: string, status: number): number => metrics.get(`http_requests_total{method="GET",route="${route}",status_code="${status}"}`) ?? 0
  // A request abandoned at the stop may have been answered and counted by service-a all the same.
  const countedByService = counted('/', 200) + counted('/hello/:name', 200) + counted('/hello/:name', 400) + counted('<unmatched>', 404)
  t.ok(countedByService >= sum(statuses) && countedByService <= sum(statuses) + 20,
    `service-a counted the answers the generator got (${countedByService} for ${sum(statuses)})`)
  const requests = [...metrics].filter(([name]) => name.startsWith('http_requests_total{'))
  // The requests still waiting at the stop hang up: service-a records them as nginx's 499.
  const hangUps = requests.filter(([name]) => name.includes('status_code="499"')).reduce((a, [, n]) => a + n, 0)
  t.ok(hangUps <= 20, `at most MAX_IN_FLIGHT hang-ups (${hangUps})`)
  t.equal(requests.reduce((a, [, n]) => a + n, 0), countedByService + hangUps, 'and no request of another route or status')
  const buckets = [...metrics].filter(([name]) => name.startsWith('http_request_duration_seconds_bucket{') && name.includes('route="/hello/:name",status_code="200"'))
  const filled = buckets.filter(([, count], i) => i > 0 && count > buckets[i - 1]![1]).length
  t.ok(filled >= 5, `the latency histogram has a shape: ${filled} buckets got requests`)
})

t.test('the occasional slow request is sent and, at stop, abandoned without counting as a failure', async (t) => {
  const { url } = await startServiceA(t)
  const run = load(t, { targetUrl: url, requestsPerSecond: 20, summaryIntervalMs: 10_000, plan: () => ({ kind: 'slow', path: '/hello/ada?delay=3000', expectedStatus: 200 }) })
  await sleep(300)
  const started = Date.now()
  await run.stop()
  t.ok(Date.now() - started < 1_000, 'stop() does not wait for the slow answers')
  const last = run.summaries().at(-1)!
  t.ok(last.sent >= 3)
  t.same(last.statuses, {})
  t.same(last.failures, {})
  t.equal(last.inFlight, 0)
  await run.stop()
  t.equal(run.summaries().length, 1, 'a second stop() logs no second summary')
})

t.test('while service-a is away: failures counted, one warning per streak, and a line when it answers again', async (t) => {
  const port = await freePort()
  const run = load(t, { targetUrl: `http://127.0.0.1:${port}`, summaryIntervalMs: 10_000 })
  await sleep(500)
  const warnings = run.lines.filter((line) => line.msg === 'request failed; the load goes on at the same rate')
  t.equal(warnings.length, 1, 'one warning, not one per request')
  t.match(warnings[0], { level: 40, cause: 'ECONNREFUSED', url: new RegExp(`^http://127.0.0.1:${port}/`) })

  await startServiceA(t, port)
  await until(() => run.lines.some((line) => line.msg === 'target answers again'), 'the line that it answers again')
  await run.stop()
  const back = run.lines.filter((line) => line.msg === 'target answers again')
  t.equal(back.length, 1)
  const [summary] = run.summaries()
  t.ok(summary!.failures.ECONNREFUSED! >= 5, `failed requests counted (${summary!.failures.ECONNREFUSED})`)
  t.equal(back[0]!.failures, summary!.failures.ECONNREFUSED, 'the line says how many failed')
  t.ok(sum(summary!.statuses) >= 1, 'and the answers since are counted')
})

t.test('a URL that fetch refuses to request is reported by its reason', async (t) => {
  // Port 1 is on fetch's list of bad ports: the request never leaves the process.
  const run = load(t, { targetUrl: 'http://127.0.0.1:1', requestsPerSecond: 20, summaryIntervalMs: 10_000 })
  await until(() => run.lines.some((line) => line.level === 40), 'a warning')
  await run.stop()
  t.match(run.lines.find((line) => line.level === 40), { cause: 'bad port' })
  t.ok(run.summaries()[0]!.failures['bad port']! >= 1)
})

/** An HTTP server that keeps every request waiting until the test ends (or answers those `answer` picks after a delay). */
async function hangingServer (t: Test, port = 0): Promise<{ url: string, received: () => number, server: ReturnType<typeof createServer>, waiting: ServerResponse[] }> {
  let received = 0
  const waiting: ServerResponse[] = []
  const server = createServer((_request, response) => { received++; waiting.push(response) })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received: () => received, server, waiting }
}

t.test('concurrency is bounded: a hung target gets MAX_IN_FLIGHT requests, the other ticks are skipped', async (t) => {
  const target = await hangingServer(t)
  const run = load(t, { targetUrl: target.url, maxInFlight: 3, summaryIntervalMs: 10_000 })
  await sleep(400)
  t.equal(target.received(), 3)
  await run.stop()
  const [summary] = run.summaries()
  t.match(summary, { sent: 3, inFlight: 0, failures: {}, statuses: {} })
  t.ok(summary!.skipped >= 20, `the ticks that found 3 in flight sent nothing (${summary!.skipped})`)
})

t.test('a request that takes too long is abandoned and counted as a timeout', async (t) => {
  const target = await hangingServer(t)
  const run = load(t, { targetUrl: target.url, requestsPerSecond: 20, requestTimeoutMs: 100, summaryIntervalMs: 10_000 })
  await sleep(400)
  await run.stop()
  t.ok(run.summaries()[0]!.failures.TimeoutError! >= 2)
})

t.test('an answer to a request sent before the target went away does not end the failure streak', async (t) => {
  const target = await hangingServer(t)
  const port = (target.server.address() as { port: number }).port
  const run = load(t, { targetUrl: target.url, requestsPerSecond: 50, maxInFlight: 1, summaryIntervalMs: 10_000 })
  await until(() => target.waiting.length === 1, 'the first request')
  // The first request waits; the server stops listening, so the next ones are refused once it is answered.
  target.server.close()
  target.waiting[0]!.writeHead(200, { connection: 'close' }).end()
  await sleep(200)
  t.equal(run.lines.filter((line) => line.msg === 'target answers again').length, 0, 'the old answer came during the streak')
  t.equal(run.lines.filter((line) => line.msg === 'request failed; the load goes on at the same rate').length, 1)
  await startServiceA(t, port)
  await until(() => run.lines.some((line) => line.msg === 'target answers again'), 'the line that it answers again')
  await run.stop()
  t.equal(run.lines.filter((line) => line.msg === 'target answers again').length, 1)
})
