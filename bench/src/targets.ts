import { spread, type Spread } from './bursts.ts'
import { PEERS, UNTRACED, type Variant } from './variants.ts'

/** What one round gave for one server; the ratios are over bare Fastify in the same round. */
export interface RoundFigures { server: string, cpuUsPerRequest: number, cpuRatio: number, reqPerSec: number, p50Ms: number, p99Ms: number, spawnToReadyMs: number, rssIdleBytes: number, rssLoadBytes: number, rssRatio: number }
/** /metrics of one server: render time after many requests, then series under random paths. */
export interface MetricsFigures { server: string, renderP50Ms: number, renderP99Ms: number, openMetricsP50Ms: number, samples: number, pageBytes: number, seriesBefore: number, seriesAfter: number, randomPaths: number }
/** `verdict`: PASS or MISS, or for a figure that is only reported, what to do about it. */
export interface TargetCheck { target: string, measured: string, verdict: string }

// A spread within ±5 % judges a 5 % difference; tracing off within 3 % of the build without it, tracing on profiled past 1.5×.
const [MAX_SPREAD, TRACING_OFF_MAX, TRACED_PROFILE_ABOVE] = [0.05, 1.03, 1.5]
const judged = (pass: boolean): string => pass ? 'PASS' : 'MISS'
const ratio = (s: Spread): string => `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)}, ±${(s.plusMinus * 100).toFixed(1)} %)`

/**
 * The targets of issues 9 and 17 on the rounds of one run (`metrics`: service-a as shipped); a
 * server left out is not judged. One server against another is taken round by round, as against
 * bare Fastify: both ran in the same interleaving.
 */
export function checkTargets (rounds: Array<Pick<RoundFigures, 'server' | 'cpuRatio' | 'rssRatio'>>, metrics?: Omit<MetricsFigures, 'server' | 'renderP99Ms' | 'pageBytes'>): TargetCheck[] {
  const of = (server: string, key: 'cpuRatio' | 'rssRatio' = 'cpuRatio'): number[] => rounds.filter((r) => r.server === server).map((r) => r[key])
  const over = (a: string, b: string): Spread | undefined => of(a).length > 0 && of(b).length > 0 ? spread(of(a).map((x, i) => x / of(b)[i]!)) : undefined
  const servers = [...new Set(rounds.map((r) => r.server))]
  const checks: TargetCheck[] = []
  if (servers.includes('service-a-silent')) {
    const silent = spread(of('service-a-silent'))
    checks.push({ target: 'logging off: CPU per request ≤ 1.25×', measured: ratio(silent), verdict: judged(silent.median <= 1.25) })
    const cheapest = PEERS.filter((id) => servers.includes(id)).map((id) => ({ id, cpu: spread(of(id)).median })).sort((a, b) => a.cpu - b.cpu)[0]
    if (cheapest !== undefined) checks.push({ target: 'logging off: CPU per request ≤ the cheapest metrics peer', measured: `${silent.median.toFixed(2)}× vs ${cheapest.id} ${cheapest.cpu.toFixed(2)}×`, verdict: judged(silent.median <= cheapest.cpu) })
  }
  if (servers.includes('service-a')) {
    const [cpu, rss] = [spread(of('service-a')), spread(of('service-a', 'rssRatio'))]
    checks.push({ target: 'as shipped: CPU per request ≤ 1.5×', measured: ratio(cpu), verdict: judged(cpu.median <= 1.5) })
    checks.push({ target: 'as shipped: RSS under load ≤ 1.15× bare Fastify', measured: ratio(rss), verdict: judged(rss.median <= 1.15) })
  }
  const untraced = over('service-a-silent', UNTRACED)
  if (untraced !== undefined) checks.push({ target: 'tracing off: CPU per request within 3 % of the build without tracing', measured: `${ratio(untraced)} of ${UNTRACED}`, verdict: judged(untraced.median <= TRACING_OFF_MAX) })
  for (const percent of [100, 10]) {
    const traced = over(`service-a-traced-${percent}`, 'service-a-silent')
    if (traced !== undefined) checks.push({ target: `tracing on, ${percent} % sampled: CPU per request over tracing off`, measured: ratio(traced), verdict: traced.median > TRACED_PROFILE_ABOVE ? `over ${TRACED_PROFILE_ABOVE}×: see the profile` : 'reported' })
  }
  if (metrics !== undefined) {
    // Judged on the slower format: Prometheus asks for OpenMetrics, most other scrapers get text.
    checks.push({ target: '/metrics render p50 ≤ 2 ms at ~450 samples', measured: `text ${metrics.renderP50Ms.toFixed(3)} ms, OpenMetrics ${metrics.openMetricsP50Ms.toFixed(3)} ms at ${metrics.samples} samples`, verdict: judged(Math.max(metrics.renderP50Ms, metrics.openMetricsP50Ms) <= 2) })
    checks.push({ target: 'series constant under random paths', measured: `${metrics.seriesBefore} → ${metrics.seriesAfter} after ${metrics.randomPaths} paths`, verdict: judged(metrics.seriesAfter === metrics.seriesBefore) })
  }
  const widest = servers.map((server) => ({ server, plusMinus: spread(of(server)).plusMinus })).sort((a, b) => b.plusMinus - a.plusMinus)[0]
  if (widest !== undefined) checks.push({ target: `every CPU ratio's min–max within ±${MAX_SPREAD * 100} %`, measured: `widest ±${(widest.plusMinus * 100).toFixed(1)} % (${widest.server})`, verdict: judged(widest.plusMinus <= MAX_SPREAD) })
  return checks
}

const cell = (s: Spread, digits: number, scale = 1): string => `${(s.median / scale).toFixed(digits)} (${(s.min / scale).toFixed(digits)}–${(s.max / scale).toFixed(digits)})`
const COLUMNS: Array<[string, keyof RoundFigures, number, number?]> = [
  ['CPU µs/req', 'cpuUsPerRequest', 1], ['req/s', 'reqPerSec', 0], ['p50 ms', 'p50Ms', 3], ['p99 ms', 'p99Ms', 3], ['spawn→ready ms', 'spawnToReadyMs', 0],
  ['RSS idle MiB', 'rssIdleBytes', 1, 2 ** 20], ['RSS load MiB', 'rssLoadBytes', 1, 2 ** 20], ['RSS load ratio', 'rssRatio', 2]
]

/** The results section in Markdown: the per-server table, the /metrics table, the targets. */
export function renderReport (header: string[], variants: Variant[], rounds: RoundFigures[], metrics: MetricsFigures[], checks: TargetCheck[], renderRequests: number): string {
  const label = (id: string): string => variants.find((v) => v.id === id)?.label ?? id
  const lines = [...header, '', 'Each cell: median (min–max) over the rounds. Ratios to bare Fastify are taken within each round, whose bursts interleave.', '',
    `| server | CPU ratio | ${COLUMNS.map(([title]) => title).join(' | ')} |`, `|---|---:|${COLUMNS.map(() => '---:').join('|')}|`,
    ...variants.map(({ id }) => {
      const column = (key: keyof RoundFigures): Spread => spread(rounds.filter((r) => r.server === id).map((r) => r[key] as number))
      return `| ${label(id)} | ${ratio(column('cpuRatio'))} | ${COLUMNS.map(([, key, digits, scale]) => cell(column(key), digits, scale)).join(' | ')} |`
    })]
  if (metrics.length > 0) {
    lines.push('', `\`/metrics\` after ${renderRequests.toLocaleString('en')} requests over 20 routes, then series growth under random unmatched paths:`, '',
      '| server | render p50 ms | render p99 ms | OpenMetrics p50 ms | samples | page KiB | request series before → after |', '|---|---:|---:|---:|---:|---:|---|',
      ...metrics.map((m) => `| ${label(m.server)} | ${m.renderP50Ms.toFixed(3)} | ${m.renderP99Ms.toFixed(3)} | ${m.openMetricsP50Ms.toFixed(3)} | ${m.samples} | ${(m.pageBytes / 1024).toFixed(1)} | ${m.seriesBefore} → ${m.seriesAfter} (${m.randomPaths} paths) |`))
  }
  return [...lines, '', '| target (service-a) | measured | |', '|---|---|---|', ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.verdict} |`)].join('\n') + '\n'
}
