import type autocannon from 'autocannon'
import { HEADROOM_TARGET, type Limits, type MemorySample, type Verdict } from './soak-spec.ts'

export interface SoakRun {
  settings: { runtime: string, duration: number, connections: number, image: string }
  limits: Limits
  samples: MemorySample[]
  load: autocannon.Result
  logBytes: number
  oomKills: number | undefined
  shutdown: { exitCode: number | string, oomKilled: boolean | undefined, seconds: number }
  verdict: Verdict
  node: string
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

/** The soak's section of docs/benchmarks.md: settings, traffic, memory over time, the verdict. */
export function renderSoak (run: SoakRun): string {
  const { load, samples, verdict: v, limits } = run
  const codes = Object.entries(load.statusCodeStats ?? {}).map(([code, { count = 0 }]) => [code, count] as const)
  const statuses = codes.map(([code, count]) => `${code}: ${count}`).join(', ')
  const fiveXx = codes.filter(([code]) => code.startsWith('5')).reduce((n, [, count]) => n + count, 0)
  // About a dozen rows whatever the duration: enough to see the curve level off.
  const step = Math.max(1, Math.round(samples.length / 12))
  const rows = samples.filter((_, i) => i % step === 0 || i === samples.length - 1)
  return [
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node.js ${run.node} in the runner: ${run.settings.runtime === 'process' ? 'service-a/dist as a plain process, no limits' : `image ${run.settings.image}`}, limits from the Deployment: ${limits.cpus} CPU, ${mib(limits.memoryBytes)} MiB; LOG_LEVEL=${limits.env.LOG_LEVEL ?? 'info'}.`,
    `Load: ${load.duration} s of mixed traffic over ${run.settings.connections} connections: ${load.requests.total} requests, ${(load.requests.total / load.duration).toFixed(0)} req/s; ${statuses}.`,
    `Errors: ${load.errors} connection errors, ${load.timeouts} timeouts, ${fiveXx} responses 5xx. Access log: ${mib(run.logBytes)} MiB read from stdout.`,
    '',
    '| s | RSS MiB | heap used MiB | heap total MiB | new space MiB | external MiB | request series |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((s) => `| ${s.seconds.toFixed(0)} | ${mib(s.rssBytes)} | ${mib(s.heapUsedBytes)} | ${mib(s.heapTotalBytes)} | ${mib(s.newSpaceBytes)} | ${mib(s.externalBytes)} | ${s.series} |`),
    '',
    `Peak RSS ${mib(v.peakRssBytes)} MiB of ${mib(limits.memoryBytes)} MiB: headroom ${(v.headroom * 100).toFixed(0)} % (target ≥ ${HEADROOM_TARGET * 100} %); RSS slope over the second half ${v.lateSlopeMiBPerMinute.toFixed(2)} MiB/min (${v.levelsOff ? 'levelled off' : 'still growing'}).`,
    `OOM kills: ${run.oomKills ?? 'not readable'}${run.shutdown.oomKilled === undefined ? '' : `, OOMKilled ${run.shutdown.oomKilled}`}. SIGTERM → exit code ${run.shutdown.exitCode} after ${run.shutdown.seconds.toFixed(1)} s. Target: ${v.pass ? 'PASS' : 'MISS'}.`,
    ''
  ].join('\n')
}
