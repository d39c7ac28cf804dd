import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { quantile } from 'simple-statistics'
import { REPO_ROOT } from '../../tools/src/support/paths.ts'

/** What the burst runner and the soak both measure with: settings, load, a process's CPU and memory, a /metrics page, the report. */

/** Positive numbers from the environment, by name, with their defaults. */
export function numbersFromEnv<K extends string> (defaults: Record<K, number>, env: NodeJS.ProcessEnv = process.env): Record<K, number> {
  return Object.fromEntries(Object.entries<number>(defaults).map(([name, fallback]) => {
    const value = Number(env[name] ?? fallback)
    if (!(value > 0)) throw new Error(`${name} must be a positive number (got ${JSON.stringify(env[name])})`)
    return [name, value]
  })) as Record<K, number>
}

/** A random unmatched path: what a scanner probes, and nothing a path normaliser folds. */
export const randomPath = (): string => `/scan/${Array.from({ length: 12 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`

export interface LoadOptions {
  port: number
  connections: number
  /** Run for this many seconds (5 by default), or send exactly `amount` requests. */
  duration?: number
  amount?: number
  /** Cycled through per connection: a path, or a function that makes one for each request. */
  paths?: Array<string | (() => string)>
  /** Where the latency of each 2xx response is recorded, in nanoseconds. */
  latency?: RecordableHistogram
}

/**
 * One autocannon run in this process. Latency goes into a histogram of nanoseconds from
 * autocannon's per-response times: its own histogram has whole milliseconds, too coarse here.
 */
export async function load ({ port, connections, duration = 5, amount, paths = ['/'], latency = createHistogram() }: LoadOptions): Promise<autocannon.Result & { failures: number }> {
  const requests = paths.map((path) => typeof path === 'string' ? { path } : { setupRequest: (request: autocannon.Request) => ({ ...request, path: path() }) })
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: `http://127.0.0.1:${port}`, connections, requests, ...(amount === undefined ? { duration } : { amount }) },
      (error, result) => { if (error) reject(error); else resolve(result) })
    instance.on('response', (_client, status, _bytes, ms) => { if (status < 300) latency.record(Math.max(1, Math.round(ms * 1e6))) })
  })
  return { ...result, failures: result.non2xx + result.errors + result.timeouts }
}

/**
 * CPU seconds a process has used, summed over its threads: the first field of each thread's
 * /proc/<pid>/task/<tid>/schedstat, time on a CPU in nanoseconds. /proc/<pid>/stat counts in
 * 10 ms ticks, too coarse for sub-second bursts of a server that is not always busy.
 * @see https://docs.kernel.org/scheduler/sched-stats.html
 */
export function cpuSeconds (pid: number): number {
  let ns = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {} // a thread that ended between the listing and the read
  }
  return ns / 1e9
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status, in kB). */
export const rssBytes = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024

/** A Prometheus text page: its size, its samples, those outside the process/runtime families (request series), and a sample's value. */
export function parsePage (text: string): { bytes: number, samples: number, requestSeries: number, value: (sample: string) => number } {
  const samples = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))
  const value = (sample: string): number => {
    const line = samples.find((l) => l.startsWith(`${sample} `))
    if (line === undefined) throw new Error(`/metrics has no sample ${sample}`)
    return Number(line.slice(sample.length + 1))
  }
  return { bytes: Buffer.byteLength(text), samples: samples.length, requestSeries: samples.filter((l) => !/^(process|nodejs)_/.test(l)).length, value }
}

/** GET /metrics; Prometheus asks for OpenMetrics, curl and most other scrapers get the text format. */
export async function scrape (port: number, openMetrics = false): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: openMetrics ? { accept: 'application/openmetrics-text; version=1.0.0' } : {} })
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`)
  return await response.text()
}

/**
 * Times `count` sequential scrapes, as Prometheus scrapes: the time to the last byte, over one
 * kept-alive connection (fetch keeps it), so it includes the framework's own route.
 */
export async function renderTimes (port: number, count: number, openMetrics = false): Promise<{ p50Ms: number, p99Ms: number, page: ReturnType<typeof parsePage> }> {
  const times: number[] = []
  let text = ''
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    text = await scrape(port, openMetrics)
    times.push(performance.now() - started)
  }
  return { p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), page: parsePage(text) }
}

export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)

/** The first words of a results section: when it ran. */
export const runStamp = (at = new Date()): string => `Run of ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`

/**
 * Prints a results section and, when `write`, puts it between the `<!-- NAME:results:start -->`
 * and `end -->` markers of docs/benchmarks.md, the prose around it kept. NAME_OUTPUT names
 * another file; empty, it prints only.
 */
export function publish (name: 'bench' | 'soak', section: string, write = true): void {
  console.log(section)
  const path = process.env[`${name.toUpperCase()}_OUTPUT`] ?? `${REPO_ROOT}docs/benchmarks.md`
  if (!write || path === '') return
  const [start, end] = [`<!-- ${name}:results:start -->`, `<!-- ${name}:results:end -->`]
  const text = readFileSync(path, 'utf8')
  const [from, to] = [text.indexOf(start), text.indexOf(end)]
  if (from === -1 || to < from) throw new Error(`${path} has no ${start} … ${end} section to replace`)
  writeFileSync(path, text.slice(0, from) + `${start}\n${section}${end}` + text.slice(to + end.length))
}
