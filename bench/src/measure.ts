import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { REPO_ROOT } from '../../tools/src/support/paths.ts'

/** Positive numbers from the environment, by name, with their defaults. */
export function numbersFromEnv<K extends string> (defaults: Record<K, number>, env = process.env): Record<K, number> {
  return Object.fromEntries(Object.entries<number>(defaults).map(([name, fallback]) => {
    const value = Number(env[name] ?? fallback)
    if (!(value > 0)) throw new Error(`${name} must be a positive number (got ${JSON.stringify(env[name])})`)
    return [name, value]
  })) as Record<K, number>
}

/** A random unmatched path: what a scanner probes, and nothing a path normaliser folds. */
export const randomPath = (): string => `/scan/${Array.from({ length: 12 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`

/** One autocannon run in this process: `duration` seconds or `amount` requests over `paths` (a function makes one per request); 2xx latency into `latency` in ns, where autocannon's own has whole ms. */
export async function load ({ port, connections, duration = 5, amount, paths = ['/'], headers, latency = createHistogram() }: { port: number, connections: number, duration?: number, amount?: number, paths?: Array<string | (() => string)>, headers?: Record<string, string>, latency?: RecordableHistogram }): Promise<autocannon.Result & { failures: number }> {
  const requests = paths.map((path) => typeof path === 'string' ? { path } : { setupRequest: (request: autocannon.Request) => ({ ...request, path: path() }) })
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: `http://127.0.0.1:${port}`, connections, requests, headers, ...(amount === undefined ? { duration } : { amount }) },
      (error, result) => { if (error) reject(error); else resolve(result) })
    instance.on('response', (_client, status, _bytes, ms) => { if (status < 300) latency.record(Math.max(1, Math.round(ms * 1e6))) })
  })
  return { ...result, failures: result.non2xx + result.errors + result.timeouts }
}

/** CPU seconds of a process, from its threads' schedstat in nanoseconds: /proc/<pid>/stat counts 10 ms ticks, too coarse for 1 s bursts. @see https://docs.kernel.org/scheduler/sched-stats.html */
export function cpuSeconds (pid: number): number {
  // A thread may end between the listing and the read.
  const ns = readdirSync(`/proc/${pid}/task`).map((tid) => { try { return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) } catch { return 0 } })
  return ns.reduce((a, b) => a + b, 0) / 1e9
}

export const rssBytes = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)

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

export async function scrape (port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`)
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`)
  return await response.text()
}

export const runStamp = (at = new Date()): string => `Run of ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`

/** Prints a results section and, when `write`, puts it between the NAME:results markers of docs/benchmarks.md (NAME_OUTPUT: another file, or '' for none). */
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
