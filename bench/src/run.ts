import { mkdirSync, writeFileSync } from 'node:fs'
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { PATHS } from '../../tools/src/support/paths.ts'
import { perRequest, schedule, type Burst } from './bursts.ts'
import * as machine from './machine.ts'
import { cpuSeconds, load, mib, numbersFromEnv, parsePage, publish, randomPath, rssBytes, runStamp, scrape } from './measure.ts'
import { received } from './otlp-sink.ts'
import { EXTRA_ROUTES } from './servers/routes.ts'
import { checkTargets, renderReport, type MetricsFigures, type RoundFigures } from './targets.ts'
import { BASELINE, selectVariants, startServer, type RunningServer, type Variant } from './variants.ts'

const settings = numbersFromEnv({ BENCH_ROUNDS: 5, BENCH_CYCLES: 8, BENCH_BURST: 1, BENCH_WARMUP: 2, BENCH_CONNECTIONS: 10, BENCH_RENDER_REQUESTS: 100_000, BENCH_RANDOM_PATHS: 10_000 })
const { BENCH_ROUNDS: rounds, BENCH_CYCLES: cycles, BENCH_BURST: burst, BENCH_WARMUP: warmup, BENCH_CONNECTIONS: connections, BENCH_RENDER_REQUESTS: renderRequests, BENCH_RANDOM_PATHS: randomPaths } = settings
const variants = selectVariants(process.env.BENCH_ONLY, process.env.BENCH_BUILDS)

/** One round: every server started afresh, one by one (spawn→ready on an idle CPU), warmed up, then loaded in bursts that take turns (bursts.ts); RSS sampled every 100 ms. */
async function measureRound (order: Variant[], cpu: number | undefined): Promise<{ figures: RoundFigures[], bursts: Burst[] }> {
  const servers: RunningServer[] = []
  try {
    for (const v of order) servers.push(await startServer(v, cpu))
    await sleep(500)
    const state = new Map(order.map((v, i) => [v.id, { server: servers[i]!, idle: rssBytes(servers[i]!.pid), peak: 0, seconds: 0, latency: createHistogram() }]))
    for (const { port } of servers) await load({ port, connections, duration: warmup })
    const bursts: Burst[] = []
    for (const v of schedule(order, cycles).flat()) {
      const s = state.get(v.id)!
      const sampler = setInterval(() => { s.peak = Math.max(s.peak, rssBytes(s.server.pid)) }, 100)
      const before = cpuSeconds(s.server.pid)
      const result = await load({ port: s.server.port, connections, duration: burst, latency: s.latency })
      bursts.push({ server: v.id, cpuSeconds: cpuSeconds(s.server.pid) - before, requests: result.requests.total })
      clearInterval(sampler)
      s.seconds += result.duration
      if (result.failures > 0) throw new Error(`${v.id}: ${result.failures} failed requests under load`)
    }
    // Ratios over bare Fastify's within the round: its bursts interleave with every other server's.
    const costs = perRequest(bursts)
    const figures = order.map((v) => {
      const { server, idle, peak, seconds, latency } = state.get(v.id)!
      const requests = bursts.filter((b) => b.server === v.id).reduce((n, b) => n + b.requests, 0)
      return { server: v.id, cpuUsPerRequest: costs.get(v.id)! * 1e6, cpuRatio: costs.get(v.id)! / costs.get(BASELINE)!, reqPerSec: requests / seconds, p50Ms: latency.percentile(50) / 1e6, p99Ms: latency.percentile(99) / 1e6, spawnToReadyMs: server.spawnToReadyMs, rssIdleBytes: idle, rssLoadBytes: peak, rssRatio: peak / state.get(BASELINE)!.peak }
    })
    return { bursts, figures }
  } finally {
    for (const s of servers) await s.stop()
  }
}

/** /metrics after many requests over 20 routes: scrapes in a row over one kept-alive connection, timed to the last byte as Prometheus sees them; then series under random paths. */
async function measureMetrics (variant: Variant, cpu: number | undefined): Promise<MetricsFigures> {
  const { port, stop } = await startServer(variant, cpu)
  const render = async (amount: number, headers = {}): Promise<RecordableHistogram> => {
    const latency = createHistogram()
    const { failures } = await load({ port, connections: 1, amount, paths: ['/metrics'], headers, latency })
    if (failures > 0) throw new Error(`${variant.id}: ${failures} failed scrapes`)
    return latency
  }
  try {
    await load({ port, connections, amount: renderRequests, paths: ['/', ...EXTRA_ROUTES] })
    await render(20)
    // Prometheus asks for OpenMetrics; curl and most other scrapers get the text format.
    const [text, openMetrics, page] = [await render(200), await render(200, { accept: 'application/openmetrics-text; version=1.0.0' }), parsePage(await scrape(port))]
    const series = async (amount: number): Promise<number> => { await load({ port, connections, amount, paths: [randomPath] }); return parsePage(await scrape(port)).requestSeries }
    const [seriesBefore, seriesAfter] = [await series(100), await series(randomPaths)]
    return { server: variant.id, renderP50Ms: text.percentile(50) / 1e6, renderP99Ms: text.percentile(99) / 1e6, openMetricsP50Ms: openMetrics.percentile(50) / 1e6, samples: page.samples, pageBytes: page.bytes, seriesBefore, seriesAfter, randomPaths }
  } finally {
    await stop()
  }
}

const [cpu, raised, loadBefore, started] = [machine.pinLoadGenerator(), machine.raisePriority(), machine.load(), new Date()]
console.error(`bench: ${variants.length} servers × ${rounds} rounds of ${cycles} cycles of ${burst} s bursts; load average ${loadBefore}`)
const [results, allBursts, metrics]: [RoundFigures[], Burst[][], MetricsFigures[]] = [[], [], []]
for (const [round, order] of schedule(variants, rounds).entries()) {
  const measured = await measureRound(order, cpu)
  results.push(...measured.figures)
  allBursts.push(measured.bursts)
  console.error(`  round ${round + 1}: ${measured.figures.map((f) => `${f.server} ${f.cpuRatio.toFixed(3)}`).join(', ')}`)
}
for (const v of variants.filter((v) => v.metrics)) {
  metrics.push(await measureMetrics(v, cpu))
  console.error(`  /metrics ${v.id}: render p50 ${metrics.at(-1)!.renderP50Ms.toFixed(3)} ms, ${metrics.at(-1)!.samples} samples`)
}
const checks = checkTargets(results, metrics.find((m) => m.server === 'service-a'))
const report = renderReport([
  `${runStamp(started)}: ${machine.describe()}, Node.js ${process.versions.node}.`,
  `Load average before ${loadBefore}, after ${machine.load()}. ${cpu === undefined ? 'Not pinned (one CPU or no taskset).' : `Servers pinned to CPU ${cpu}, autocannon to CPU 0`}${raised ? ', both at nice -20.' : '.'}`,
  `Settings: ${rounds} rounds × ${cycles} cycles of ${burst} s bursts per server (after ${warmup} s of warm-up), ${connections} connections${variants.some((v) => v.traced) ? `; the traced servers sent the loopback OTLP sink ${received.exports} exports, ${mib(received.bytes)} MiB` : ''}. Versions: ${machine.versions()}.`
], variants, results, metrics, checks, renderRequests)
mkdirSync(`${PATHS.runDir}/bench`, { recursive: true })
writeFileSync(`${PATHS.runDir}/bench/results-${started.getTime()}.json`, JSON.stringify({ settings, rounds: results, bursts: allBursts, metrics, checks }, null, 2))
publish('bench', report)
