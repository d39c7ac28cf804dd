import { mkdirSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { renderTimes, scrape } from './exposition.ts'
import { load } from './load.ts'
import * as machine from './machine.ts'
import { cpuSeconds, rssBytes } from './proc.ts'
import { renderReport, writeReport } from './report.ts'
import type { MetricsSample, RoundSample } from './results.ts'
import { startServer } from './server.ts'
import { EXTRA_ROUTES } from './servers/routes.ts'
import { checkTargets } from './targets.ts'
import { BASELINE, selectVariants, type Variant } from './variants.ts'

const settings = {
  duration: positive('BENCH_DURATION', 5),
  warmup: positive('BENCH_WARMUP', 2),
  rounds: positive('BENCH_ROUNDS', 3),
  connections: positive('BENCH_CONNECTIONS', 10),
  renderRequests: positive('BENCH_RENDER_REQUESTS', 100_000),
  randomPaths: positive('BENCH_RANDOM_PATHS', 10_000)
}
const output = process.env.BENCH_OUTPUT ?? fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url))
const variants = selectVariants(process.env.BENCH_ONLY)

function positive (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`)
  return value
}

function must (ok: boolean, what: string): void {
  if (!ok) throw new Error(what)
}

/** One round of one variant: a fresh process, idle RSS, warm-up, then the measured load. */
async function measureRound (variant: Variant, round: number, serverCpu: number | undefined): Promise<RoundSample> {
  const server = await startServer(variant, serverCpu)
  try {
    await sleep(500)
    const rssIdleBytes = rssBytes(server.pid)
    await load({ port: server.port, connections: settings.connections, duration: settings.warmup })
    const logBefore = server.stdoutBytes()
    let rssLoadBytes = 0
    const sampler = setInterval(() => { rssLoadBytes = Math.max(rssLoadBytes, rssBytes(server.pid)) }, 100)
    const cpuBefore = cpuSeconds(server.pid)
    const result = await load({ port: server.port, connections: settings.connections, duration: settings.duration })
    const cpu = cpuSeconds(server.pid) - cpuBefore
    clearInterval(sampler)
    must(result.non2xx === 0 && result.errors === 0, `${variant.id}: ${result.non2xx} non-2xx responses and ${result.errors} errors under load`)
    await sleep(100) // the last log lines still in the pipe
    return {
      variant: variant.id,
      round,
      requests: result.requests,
      reqPerSec: result.reqPerSec,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      cpuUsPerRequest: (cpu * 1e6) / result.requests,
      rssIdleBytes,
      rssLoadBytes,
      spawnToReadyMs: server.spawnToReadyMs,
      logBytesPerRequest: (server.stdoutBytes() - logBefore) / result.requests
    }
  } finally {
    await server.stop()
  }
}

/** Random lowercase words: what a scanner probes, and not values a path normaliser folds. */
function randomPath (): string {
  let word = ''
  for (let i = 0; i < 12; i++) word += String.fromCharCode(97 + Math.floor(Math.random() * 26))
  return `/scan/${word}`
}

/** /metrics render time after many requests over 20 routes, then series growth under random paths. */
async function measureMetrics (variant: Variant, serverCpu: number | undefined): Promise<MetricsSample> {
  const server = await startServer(variant, serverCpu)
  try {
    const { port, connections } = { port: server.port, connections: settings.connections }
    await load({ port, connections, amount: settings.renderRequests, paths: ['/', ...EXTRA_ROUTES] })
    await renderTimes(port, 20)
    const render = await renderTimes(port, 200)
    await load({ port, connections, amount: 100, pathFor: randomPath })
    const before = await scrape(port)
    await load({ port, connections, amount: settings.randomPaths, pathFor: randomPath })
    const after = await scrape(port)
    return {
      variant: variant.id,
      renderP50Ms: render.p50Ms,
      renderP99Ms: render.p99Ms,
      samples: render.page.samples,
      pageBytes: render.page.bytes,
      seriesBefore: before.requestSeries,
      seriesAfter: after.requestSeries,
      randomPaths: settings.randomPaths
    }
  } finally {
    await server.stop()
  }
}

async function main (): Promise<void> {
  const cpus = machine.cpuCount()
  const serverCpu = machine.pinLoadGenerator()
  const loadBefore = machine.load()
  const started = Date.now()
  console.error(`bench: ${variants.length} servers × ${settings.rounds} rounds of ${settings.warmup} s warm-up + ${settings.duration} s; load average ${loadBefore}`)
  const rounds: RoundSample[] = []
  for (let round = 0; round < settings.rounds; round++) {
    // Alternate the order so that no server always runs first or right after the same neighbour.
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!)
    for (const variant of order) {
      const sample = await measureRound(variant, round, serverCpu)
      console.error(`  round ${round + 1} ${variant.id}: ${sample.cpuUsPerRequest.toFixed(1)} µs/req, ${sample.reqPerSec.toFixed(0)} req/s`)
      rounds.push(sample)
    }
  }
  const metrics: MetricsSample[] = []
  for (const variant of variants.filter((v) => v.metrics)) {
    const sample = await measureMetrics(variant, serverCpu)
    console.error(`  /metrics ${variant.id}: render p50 ${sample.renderP50Ms.toFixed(3)} ms, ${sample.samples} samples, series ${sample.seriesBefore} → ${sample.seriesAfter}`)
    metrics.push(sample)
  }

  const checks = checkTargets(rounds, metrics, BASELINE)
  const report = renderReport({
    date: new Date(started).toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpus,
    model: machine.cpuModel(),
    memoryGiB: machine.memoryGiB(),
    node: process.versions.node,
    loadBefore,
    loadAfter: machine.load(),
    pinning: serverCpu === undefined ? 'Not pinned (one CPU or no taskset).' : `Servers pinned to CPU ${serverCpu}, autocannon to CPU 0.`,
    settings: `${settings.rounds} rounds × (${settings.warmup} s warm-up + ${settings.duration} s), ${settings.connections} connections`,
    versions: machine.versions()
  }, variants, BASELINE, rounds, metrics, checks)
  console.log(report)
  const runDir = fileURLToPath(new URL('../../.run/bench/', import.meta.url))
  mkdirSync(runDir, { recursive: true })
  writeFileSync(`${runDir}results-${started}.json`, JSON.stringify({ settings, rounds, metrics, checks }, null, 2))
  if (output !== '') {
    writeReport(output, report)
    console.error(`bench: results written to ${output} (raw figures in ${runDir})`)
  }
}

await main()
