import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { summarize, type Measure, type MetricsSample, type RoundSample } from './results.ts'
import type { Spread } from './stats.ts'
import type { TargetCheck } from './targets.ts'
import type { Variant } from './variants.ts'

export interface Machine {
  date: string
  cpus: number
  model: string
  memoryGiB: number
  node: string
  loadBefore: string
  loadAfter: string
  pinning: string
  settings: string
  versions: string
}

const START = '<!-- bench:results:start -->'
const END = '<!-- bench:results:end -->'
const MIB = 1024 * 1024

const fixed = (digits: number, scale = 1) => (n: number) => (n / scale).toFixed(digits)
const range = (s: Spread, f: (n: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`

const COLUMNS: Array<{ title: string, measure: Measure, format: (n: number) => string }> = [
  { title: 'CPU µs/req', measure: 'cpuUsPerRequest', format: fixed(1) },
  { title: 'req/s', measure: 'reqPerSec', format: fixed(0) },
  { title: 'p50 ms', measure: 'p50Ms', format: fixed(3) },
  { title: 'p99 ms', measure: 'p99Ms', format: fixed(3) },
  { title: 'spawn→ready ms', measure: 'spawnToReadyMs', format: fixed(0) },
  { title: 'RSS idle MiB', measure: 'rssIdleBytes', format: fixed(1, MIB) },
  { title: 'RSS load MiB', measure: 'rssLoadBytes', format: fixed(1, MIB) }
]

/** The whole results section in Markdown: machine, per-server table, /metrics table, targets. */
export function renderReport (machine: Machine, variants: Variant[], baseline: string, rounds: RoundSample[], metrics: MetricsSample[], checks: TargetCheck[]): string {
  const lines = [
    `Run of ${machine.date}: ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, Node.js ${machine.node}.`,
    `Load average before ${machine.loadBefore}, after ${machine.loadAfter}. ${machine.pinning}`,
    `Settings: ${machine.settings}. Versions: ${machine.versions}.`,
    '',
    `Each cell: median (min–max) over the rounds; the ratio to ${baseline} is taken round by round.`,
    '',
    `| server | ${COLUMNS.map((c) => c.title).join(' | ')} | CPU ratio | req/s ratio | p99 ratio | spawn ratio |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|---:|---:|---:|---:|`
  ]
  for (const variant of variants) {
    if (!rounds.some((r) => r.variant === variant.id)) continue
    const cells = COLUMNS.map((c) => range(summarize(rounds, variant.id, baseline, c.measure).value, c.format))
    const ratios = (['cpuUsPerRequest', 'reqPerSec', 'p99Ms', 'spawnToReadyMs'] as const)
      .map((m) => range(summarize(rounds, variant.id, baseline, m).ratio, fixed(2)))
    lines.push(`| ${variant.label} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`)
  }
  if (metrics.length > 0) {
    lines.push('', '`/metrics` after 100,000 requests over 20 routes, then series growth under random unmatched paths:', '',
      '| server | render p50 ms | render p99 ms | samples | page KiB | request series before → after random paths |',
      '|---|---:|---:|---:|---:|---|')
    for (const m of metrics) {
      const label = variants.find((v) => v.id === m.variant)?.label ?? m.variant
      lines.push(`| ${label} | ${m.renderP50Ms.toFixed(3)} | ${m.renderP99Ms.toFixed(3)} | ${m.samples} | ${(m.pageBytes / 1024).toFixed(1)} | ${m.seriesBefore} → ${m.seriesAfter} (${m.randomPaths} paths) |`)
    }
  }
  lines.push('', '| target (service-a) | measured | |', '|---|---|---|')
  for (const check of checks) lines.push(`| ${check.target} | ${check.measured} | ${check.pass ? 'PASS' : 'MISS'} |`)
  return lines.join('\n') + '\n'
}

/** Replaces the generated section of `path` between its markers; the prose around it stays. */
export function writeReport (path: string, section: string): void {
  const block = `${START}\n${section}${END}`
  if (!existsSync(path)) {
    writeFileSync(path, `# Benchmarks\n\n${block}\n`)
    return
  }
  const text = readFileSync(path, 'utf8')
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start === -1 || end < start) throw new Error(`${path} has no ${START} … ${END} section to replace`)
  writeFileSync(path, text.slice(0, start) + block + text.slice(end + END.length))
}
