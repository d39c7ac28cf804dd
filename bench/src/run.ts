import { mkdirSync, writeFileSync } from 'node:fs'
import { createHistogram } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { PATHS } from '../../tools/src/support/paths.ts'
import { perRequest, roundRatios, schedule, type Burst } from './bursts.ts'
import * as machine from './machine.ts'
import { cpuSeconds, load, mib, numbersFromEnv, parsePage, publish, randomPath, renderTimes, rssBytes, runStamp, scrape } from './measure.ts'
import { received } from './otlp-sink.ts'
import { EXTRA_ROUTES } from './servers/routes.ts'
import { checkTargets, renderReport, type MetricsFigures, type RoundFigures } from './targets.ts'
import { BASELINE, selectVariants, startServer, type RunningServer, type Variant } from './variants.ts'

const settings = numbersFromEnv({ BENCH_ROUNDS: 5, BENCH_CYCLES: 8, BENCH_BURST: 1, BENCH_WARMUP: 2, BENCH_CONNECTIONS: 10, BENCH_RENDER_REQUESTS: 100_000, BENCH_RANDOM_PATHS: 10_000 })
const { BENCH_ROUNDS: rounds, BENCH_CYCLES: cycles, BENCH_BURST: burst, BENCH_WARMUP: warmup, BENCH_CONNECTIONS: connections, BENCH_RENDER_REQUESTS: renderRequests, BENCH_RANDOM_PATHS: randomPaths } = settings
const variants = selectVariants(process.env.BENCH_ONLY, process.env.BENCH_BUILDS)

/**
 * One round: every server started afresh (one after the other, so that spawn→ready is timed on
 * an idle CPU) and warmed up, then loaded in short bursts that take turns (bursts.ts); each
 * burst's CPU is read from /proc, and RSS sampled every 100 ms.
 */
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
    const [costs, ratios] = [perRequest(bursts), roundRatios(bursts, BASELINE)]
    return {
      bursts,
      figures: order.map((v) => {
        const { server, idle, peak, seconds, latency } = state.get(v.id)!
        const requests = bursts.filter((b) => b.server === v.id).reduce((n, b) => n + b.requests, 0)
        return { server: v.id, cpuUsPerRequest: costs.get(v.id)! * 1e6, cpuRatio: ratios.get(v.id)!, reqPerSec: requests / seconds, p50Ms: latency.percentile(50) / 1e6, p99Ms: latency.percentile(99) / 1e6, spawnToReadyMs: server.spawnToReadyMs, rssIdleBytes: idle, rssLoadBytes: peak, rssRatio: peak / state.get(BASELINE)!.peak }
      })
    }
  } finally {
    for (const s of servers) await s.stop()
  }
}

/** /metrics render time after many requests over 20 routes, then series growth under random paths. */
async function measureMetrics (variant: Variant, cpu: number | undefined): Promise<MetricsFigures> {
  const server = await startServer(variant, cpu)
  try {
    const port = server.port
    await load({ port, connections, amount: renderRequests, paths: ['/', ...EXTRA_ROUTES] })
    await renderTimes(port, 20)
    const render = await renderTimes(port, 200)
    const openMetrics = await renderTimes(port, 200, true)
    await load({ port, connections, amount: 100, paths: [randomPath] })
    const before = parsePage(await scrape(port))
    await load({ port, connections, amount: randomPaths, paths: [randomPath] })
    const after = parsePage(await scrape(port))
    return { server: variant.id, renderP50Ms: render.p50Ms, renderP99Ms: render.p99Ms, openMetricsP50Ms: openMetrics.p50Ms, samples: render.page.samples, pageBytes: render.page.bytes, seriesBefore: before.requestSeries, seriesAfter: after.requestSeries, randomPaths }
  } finally {
    await server.stop()
  }
}

const cpu = machine.pinLoadGenerator()
const raised = machine.raisePriority()
const loadBefore = machine.load()
const started = new Date()
console.error(`bench: ${variants.length} servers × ${rounds} rounds of ${cycles} cycles of ${burst} s bursts; load average ${loadBefore}`)
const results: RoundFigures[] = []
const allBursts: Burst[][] = []
for (const [round, order] of schedule(variants, rounds).entries()) {
  const measured = await measureRound(order, cpu)
  results.push(...measured.figures)
  allBursts.push(measured.bursts)
  console.error(`  round ${round + 1}: ${results.slice(-order.length).map((f) => `${f.server} ${f.cpuRatio.toFixed(3)}`).join(', ')}`)
}
const metrics: MetricsFigures[] = []
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
