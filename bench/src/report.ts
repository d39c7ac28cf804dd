import { spread, type Spread } from './bursts.ts'
import { ratio, type Figures, type TargetCheck } from './targets.ts'
import type { Variant } from './variants.ts'

/** What one round gave for one server. */
export interface RoundFigures { server: string, cpuUsPerRequest: number, cpuRatio: number, reqPerSec: number, p50Ms: number, p99Ms: number, spawnToReadyMs: number, rssIdleBytes: number, rssLoadBytes: number, rssRatio: number }

/** /metrics of one server: render time after many requests, then series under random paths. */
export interface MetricsFigures { server: string, renderP50Ms: number, renderP99Ms: number, openMetricsP50Ms: number, samples: number, pageBytes: number, seriesBefore: number, seriesAfter: number, randomPaths: number }

const cell = (s: Spread, digits: number, scale = 1) => `${(s.median / scale).toFixed(digits)} (${(s.min / scale).toFixed(digits)}–${(s.max / scale).toFixed(digits)})`
const MIB = 2 ** 20
const COLUMNS: Array<[string, keyof RoundFigures, number, number?]> = [
  ['CPU µs/req', 'cpuUsPerRequest', 1], ['req/s', 'reqPerSec', 0], ['p50 ms', 'p50Ms', 3], ['p99 ms', 'p99Ms', 3],
  ['spawn→ready ms', 'spawnToReadyMs', 0], ['RSS idle MiB', 'rssIdleBytes', 1, MIB], ['RSS load MiB', 'rssLoadBytes', 1, MIB]
]

/** The ratios the targets are judged on, per server over the rounds. */
export function figures (rounds: RoundFigures[], metrics: MetricsFigures | undefined): Figures {
  const servers = [...new Set(rounds.map((r) => r.server))]
  const of = (server: string, key: 'cpuRatio' | 'rssRatio') => spread(rounds.filter((r) => r.server === server).map((r) => r[key]))
  return { ratios: new Map(servers.map((s) => [s, { cpu: of(s, 'cpuRatio'), rss: of(s, 'rssRatio') }])), metrics }
}

/** The results section in Markdown: the per-server table, the /metrics table, the targets. */
export function renderReport (header: string[], variants: Variant[], rounds: RoundFigures[], metrics: MetricsFigures[], checks: TargetCheck[], renderRequests: number): string {
  const lines = [...header, '',
    'Each cell: median (min–max) over the rounds. Ratios to bare Fastify are taken within each round, whose bursts interleave.', '',
    `| server | CPU ratio | ${COLUMNS.map(([title]) => title).join(' | ')} | RSS load ratio |`,
    `|---|---:|${COLUMNS.map(() => '---:').join('|')}|---:|`]
  const { ratios } = figures(rounds, undefined)
  for (const v of variants) {
    const mine = rounds.filter((r) => r.server === v.id)
    const cells = COLUMNS.map(([, key, digits, scale]) => cell(spread(mine.map((r) => r[key] as number)), digits, scale))
    lines.push(`| ${v.label} | ${ratio(ratios.get(v.id)!.cpu)} | ${cells.join(' | ')} | ${cell(ratios.get(v.id)!.rss, 2)} |`)
  }
  if (metrics.length > 0) {
    lines.push('', `\`/metrics\` after ${renderRequests.toLocaleString('en')} requests over 20 routes, then series growth under random unmatched paths:`, '',
      '| server | render p50 ms | render p99 ms | OpenMetrics p50 ms | samples | page KiB | request series before → after |', '|---|---:|---:|---:|---:|---:|---|')
    for (const m of metrics) {
      const label = variants.find((v) => v.id === m.server)?.label ?? m.server
      lines.push(`| ${label} | ${m.renderP50Ms.toFixed(3)} | ${m.renderP99Ms.toFixed(3)} | ${m.openMetricsP50Ms.toFixed(3)} | ${m.samples} | ${(m.pageBytes / 1024).toFixed(1)} | ${m.seriesBefore} → ${m.seriesAfter} (${m.randomPaths} paths) |`)
    }
  }
  lines.push('', '| target (service-a) | measured | |', '|---|---|---|', ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.pass ? 'PASS' : 'MISS'} |`))
  return lines.join('\n') + '\n'
}
