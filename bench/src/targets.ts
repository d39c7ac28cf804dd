import { summarize, type MetricsSample, type RoundSample } from './results.ts'

const MIB = 1024 * 1024

export interface TargetCheck {
  target: string
  measured: string
  pass: boolean
}

/** The targets of issue 6, each checked on the figures of one run. */
export function checkTargets (rounds: RoundSample[], metrics: MetricsSample[], baseline: string): TargetCheck[] {
  const checks: TargetCheck[] = []
  const ratio = (variant: string, target: string, measure: 'cpuUsPerRequest' | 'spawnToReadyMs', limit: number): void => {
    if (!rounds.some((r) => r.variant === variant)) return
    const { ratio } = summarize(rounds, variant, baseline, measure)
    checks.push({ target: `${target} ≤ ${limit.toFixed(2)}×`, measured: `${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`, pass: ratio.median <= limit })
  }
  ratio('service-a-silent', 'instrumentation alone: CPU per request', 'cpuUsPerRequest', 1.10)
  ratio('service-a', 'as shipped: CPU per request', 'cpuUsPerRequest', 1.40)
  ratio('service-a', 'as shipped: spawn to ready', 'spawnToReadyMs', 1.15)

  const shipped = metrics.find((m) => m.variant === 'service-a')
  if (shipped !== undefined) {
    checks.push({ target: '/metrics render p50 ≤ 1 ms at ~400 samples', measured: `${shipped.renderP50Ms.toFixed(3)} ms at ${shipped.samples} samples`, pass: shipped.renderP50Ms <= 1 })
    checks.push({ target: 'series constant under random paths', measured: `${shipped.seriesBefore} → ${shipped.seriesAfter} after ${shipped.randomPaths} paths`, pass: shipped.seriesAfter === shipped.seriesBefore })
  }
  if (rounds.some((r) => r.variant === 'service-a')) {
    const rss = summarize(rounds, 'service-a', baseline, 'rssLoadBytes').value
    checks.push({ target: 'as shipped: RSS under load ≤ 90 MiB', measured: `${(rss.median / MIB).toFixed(1)} MiB`, pass: rss.median <= 90 * MIB })
  }
  return checks
}
