import type { Logger } from 'pino'
import { planRequest, type PlannedRequest } from './traffic.ts'

export interface LoadOptions {
  targetUrl: string
  requestsPerSecond: number
  maxInFlight: number
  summaryIntervalMs: number
  logger: Logger
  /** The next request to send; the traffic mix by default. */
  plan?: () => PlannedRequest
  /** A request that takes longer is abandoned and counted as a failure: service-a's slowest answer is 10 s. */
  requestTimeoutMs?: number
}

/** What one summary line reports, for the time since the previous one. */
export interface Summary {
  seconds: number
  /** Requests started. */
  sent: number
  /** Answers by HTTP status code. */
  statuses: Record<string, number>
  /** Requests that got no answer, by cause: ECONNREFUSED while service-a is away, TimeoutError. */
  failures: Record<string, number>
  /** Ticks that found MAX_IN_FLIGHT requests still waiting, and so sent nothing. */
  skipped: number
  /** Requests still waiting for an answer when the line was written. */
  inFlight: number
}

export interface LoadGenerator {
  /** Stops sending, abandons the requests in flight, logs the last summary. Idempotent. */
  stop: () => Promise<void>
}

/**
 * Sends the traffic mix to `targetUrl` at a steady rate until stopped. Never throws: a request
 * that fails is counted, and the first failure of a streak is logged (not every one, so that a
 * service-a that is away for a minute costs one warning, not hundreds of lines).
 */
export function startLoad (options: LoadOptions): LoadGenerator {
  const { targetUrl, logger, plan = planRequest, requestTimeoutMs = 15_000 } = options
  const stopping = new AbortController()
  const inFlight = new Set<Promise<void>>()
  let window = newWindow()
  // Requests are numbered as they start. A streak of failures ends only with an answer to a
  // request that started after the streak's first failure: a slow request sent before the
  // target went away may still get its answer while the target is gone.
  let sequence = 0
  let streak: { from: number, failures: number } | undefined

  async function send (planned: PlannedRequest, number: number): Promise<void> {
    const url = targetUrl + planned.path
    try {
      const response = await fetch(url, { signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(requestTimeoutMs)]) })
      // Read to the end, so that the keep-alive connection is reused for the next request.
      await response.arrayBuffer()
      increment(window.statuses, String(response.status))
      if (streak !== undefined && number > streak.from) {
        logger.info({ failures: streak.failures }, 'target answers again')
        streak = undefined
      }
    } catch (error) {
      // Abandoned by stop(): not the target's failure.
      if (stopping.signal.aborted) return
      const cause = failureCause(error)
      increment(window.failures, cause)
      if (streak === undefined) {
        streak = { from: number, failures: 0 }
        logger.warn({ url, cause }, 'request failed; the load goes on at the same rate')
      }
      streak.failures++
    }
  }

  function tick (): void {
    // Bounded: a slow or hung target gets at most maxInFlight requests, never a growing queue.
    if (inFlight.size >= options.maxInFlight) {
      window.skipped++
      return
    }
    window.sent++
    const request: Promise<void> = send(plan(), ++sequence).finally(() => inFlight.delete(request))
    inFlight.add(request)
  }

  function summarize (): void {
    const { startedAt, ...counts } = window
    const summary: Summary = { seconds: Math.round((Date.now() - startedAt) / 100) / 10, ...counts, inFlight: inFlight.size }
    logger.info(summary, 'load summary')
    window = newWindow()
  }

  logger.info({ targetUrl, requestsPerSecond: options.requestsPerSecond, maxInFlight: options.maxInFlight }, 'load generator started')
  const ticker = setInterval(tick, 1000 / options.requestsPerSecond)
  const summaries = setInterval(summarize, options.summaryIntervalMs)
  let stopped: Promise<void> | undefined

  return {
    stop () {
      stopped ??= (async () => {
        clearInterval(ticker)
        clearInterval(summaries)
        stopping.abort()
        await Promise.all(inFlight)
        summarize()
      })()
      return stopped
    }
  }
}

type Window = Omit<Summary, 'seconds' | 'inFlight'> & { startedAt: number }

function newWindow (): Window {
  return { startedAt: Date.now(), sent: 0, statuses: {}, failures: {}, skipped: 0 }
}

function increment (counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1
}

/**
 * fetch wraps network errors in a TypeError ("fetch failed") whose cause says what happened: the
 * system's code (ECONNREFUSED), or a message of fetch's own ("bad port"); a timeout is its own error.
 */
function failureCause (error: unknown): string {
  const { name, cause } = error as Error & { cause?: { code?: string, message?: string } }
  return cause?.code ?? cause?.message ?? name
}
