import { spread, type Spread } from './stats.ts'

/** What one measured round of one variant gave. */
export interface RoundSample {
  variant: string
  round: number
  requests: number
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  cpuUsPerRequest: number
  rssIdleBytes: number
  rssLoadBytes: number
  spawnToReadyMs: number
  logBytesPerRequest: number
}

/** The /metrics measurements of one variant that serves it. */
export interface MetricsSample {
  variant: string
  renderP50Ms: number
  renderP99Ms: number
  samples: number
  pageBytes: number
  /** Request series after a few random unmatched paths, and after 10,000 more. */
  seriesBefore: number
  seriesAfter: number
  randomPaths: number
}

export type Measure = 'reqPerSec' | 'p50Ms' | 'p99Ms' | 'cpuUsPerRequest' | 'rssIdleBytes' | 'rssLoadBytes' | 'spawnToReadyMs'

export interface Summary { value: Spread, ratio: Spread }

/**
 * A variant's figure over the rounds, and its ratio to the baseline taken round by round
 * (each round runs every variant back to back, so a slow spell of the machine cancels out).
 */
export function summarize (rounds: RoundSample[], variant: string, baseline: string, measure: Measure): Summary {
  const mine = rounds.filter((r) => r.variant === variant)
  const ratios = mine.flatMap((r) => {
    const base = rounds.find((b) => b.variant === baseline && b.round === r.round)
    return base === undefined ? [] : [r[measure] / base[measure]]
  })
  if (mine.length === 0 || ratios.length === 0) throw new Error(`no rounds of ${variant} with ${baseline} to compare`)
  return { value: spread(mine.map((r) => r[measure])), ratio: spread(ratios) }
}
