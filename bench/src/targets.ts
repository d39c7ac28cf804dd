import type { Spread } from './bursts.ts'
import { PEERS } from './variants.ts'

/** The figures of one run that the targets are judged on. */
export interface Figures {
  /** Per server: CPU per request and RSS under load, as ratios to bare Fastify over the rounds. */
  ratios: Map<string, { cpu: Spread, rss: Spread }>
  /** service-a as shipped: /metrics render and series under random paths. */
  metrics?: { renderP50Ms: number, openMetricsP50Ms: number, samples: number, seriesBefore: number, seriesAfter: number, randomPaths: number }
}

export interface TargetCheck { target: string, measured: string, pass: boolean }

/** Within ±5 % of the median: precise enough to judge a 5 % difference. */
export const MAX_SPREAD = 0.05

export const ratio = (s: Spread) => `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)}, ±${(s.plusMinus * 100).toFixed(1)} %)`

/** The targets of issue 9, each checked on the figures of one run; a server left out is not judged. */
export function checkTargets ({ ratios, metrics }: Figures): TargetCheck[] {
  const checks: TargetCheck[] = []
  const silent = ratios.get('service-a-silent')
  const shipped = ratios.get('service-a')
  if (silent !== undefined) {
    checks.push({ target: 'logging off: CPU per request ≤ 1.25×', measured: ratio(silent.cpu), pass: silent.cpu.median <= 1.25 })
    const peers = PEERS.flatMap((id) => ratios.has(id) ? [{ id, cpu: ratios.get(id)!.cpu.median }] : [])
    const cheapest = peers.sort((a, b) => a.cpu - b.cpu)[0]
    if (cheapest !== undefined) {
      checks.push({ target: 'logging off: CPU per request ≤ the cheapest metrics peer', measured: `${silent.cpu.median.toFixed(2)}× vs ${cheapest.id} ${cheapest.cpu.toFixed(2)}×`, pass: silent.cpu.median <= cheapest.cpu })
    }
  }
  if (shipped !== undefined) {
    checks.push({ target: 'as shipped: CPU per request ≤ 1.45×', measured: ratio(shipped.cpu), pass: shipped.cpu.median <= 1.45 })
    checks.push({ target: 'as shipped: RSS under load ≤ 1.15× bare Fastify', measured: ratio(shipped.rss), pass: shipped.rss.median <= 1.15 })
  }
  if (metrics !== undefined) {
    // Judged on the slower format: Prometheus asks for OpenMetrics, most other scrapers get text.
    const slower = Math.max(metrics.renderP50Ms, metrics.openMetricsP50Ms)
    checks.push({ target: '/metrics render p50 ≤ 2 ms at ~450 samples', measured: `text ${metrics.renderP50Ms.toFixed(3)} ms, OpenMetrics ${metrics.openMetricsP50Ms.toFixed(3)} ms at ${metrics.samples} samples`, pass: slower <= 2 })
    checks.push({ target: 'series constant under random paths', measured: `${metrics.seriesBefore} → ${metrics.seriesAfter} after ${metrics.randomPaths} paths`, pass: metrics.seriesAfter === metrics.seriesBefore })
  }
  const widest = [...ratios].sort(([, a], [, b]) => b.cpu.plusMinus - a.cpu.plusMinus)[0]
  if (widest !== undefined) {
    checks.push({ target: `every CPU ratio's min–max within ±${MAX_SPREAD * 100} %`, measured: `widest ±${(widest[1].cpu.plusMinus * 100).toFixed(1)} % (${widest[0]})`, pass: widest[1].cpu.plusMinus <= MAX_SPREAD })
  }
  return checks
}
