import { createHistogram } from 'node:perf_hooks'
import autocannon from 'autocannon'

export interface LoadResult {
  requests: number
  non2xx: number
  errors: number
  seconds: number
  reqPerSec: number
  /** Latency percentiles in milliseconds, to the microsecond. */
  p50Ms: number
  p99Ms: number
}

export interface LoadOptions {
  port: number
  connections: number
  /** Run for this many seconds, or … */
  duration?: number
  /** … send exactly this many requests. */
  amount?: number
  /** Paths cycled through per connection; `/` when absent. */
  paths?: string[]
  /** Builds each request's path instead (random unmatched paths). */
  pathFor?: () => string
}

/**
 * One autocannon run in this process. Latency is recorded here in nanoseconds from autocannon's
 * per-response times: its own histogram has whole-millisecond resolution, too coarse for
 * sub-millisecond responses.
 */
export async function load (options: LoadOptions): Promise<LoadResult> {
  const latency = createHistogram()
  const { pathFor } = options
  const requests = pathFor !== undefined
    ? [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: pathFor() }) }]
    : (options.paths ?? ['/']).map((path) => ({ path }))
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: `http://127.0.0.1:${options.port}`,
      connections: options.connections,
      ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 5 }),
      requests
    }, (error, result) => { if (error) reject(error); else resolve(result) })
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode < 300) latency.record(Math.max(1, Math.round(responseTimeMs * 1e6)))
    })
  })
  const seconds = result.duration
  const total = result.requests.total
  return {
    requests: total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds,
    reqPerSec: total / seconds,
    p50Ms: latency.count > 0 ? latency.percentile(50) / 1e6 : Number.NaN,
    p99Ms: latency.count > 0 ? latency.percentile(99) / 1e6 : Number.NaN
  }
}
