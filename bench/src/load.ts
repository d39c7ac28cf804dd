import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'
import autocannon from 'autocannon'

export interface LoadOptions {
  port: number
  connections: number
  /** Run for this many seconds, or … */
  duration?: number
  /** … send exactly this many requests. */
  amount?: number
  /** Paths cycled through per connection (`/` when absent), or a function that makes each one. */
  paths?: string[] | (() => string)
  /** Where the latency of each 2xx response is recorded, in nanoseconds. */
  latency?: RecordableHistogram
}

export interface LoadResult { requests: number, seconds: number, failures: number }

/**
 * One autocannon run in this process. Latency goes into a histogram of nanoseconds from
 * autocannon's per-response times: its own histogram has whole milliseconds, too coarse here.
 */
export async function load ({ port, connections, duration = 5, amount, paths = ['/'], latency = createHistogram() }: LoadOptions): Promise<LoadResult> {
  const requests = typeof paths === 'function'
    ? [{ setupRequest: (request: autocannon.Request) => ({ ...request, path: paths() }) }]
    : paths.map((path) => ({ path }))
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: `http://127.0.0.1:${port}`, connections, requests, ...(amount === undefined ? { duration } : { amount }) },
      (error, result) => { if (error) reject(error); else resolve(result) })
    instance.on('response', (_client, status, _bytes, ms) => { if (status < 300) latency.record(Math.max(1, Math.round(ms * 1e6))) })
  })
  return { requests: result.requests.total, seconds: result.duration, failures: result.non2xx + result.errors + result.timeouts }
}
