import { max, median, min } from 'simple-statistics'

/**
 * The order of the load bursts in one round. Every server gets one burst per cycle. Cycles come
 * in pairs, forwards then backwards (A B C, C B A), so a load that rises or falls steadily
 * during the pair costs every server the same on average; each pair starts one place further
 * on, so that no server always goes first or always follows the same neighbour (whose leftover
 * GC or cold caches it would inherit).
 */
export function schedule<T> (servers: readonly T[], cycles: number): T[][] {
  return Array.from({ length: cycles }, (_, c) => {
    const turned = servers.map((_, i) => servers[(i + (c >> 1)) % servers.length]!)
    return c % 2 === 1 ? turned.reverse() : turned
  })
}

/** What one burst of load on one server gave. */
export interface Burst { server: string, cpuSeconds: number, requests: number }

/**
 * Each server's CPU per request over all its bursts of one round, divided by the baseline's over
 * the same round: the bursts interleave, so a change of the machine's load during the round
 * reaches every server alike and cancels out of the ratio.
 */
export function roundRatios (bursts: readonly Burst[], baseline: string): Map<string, number> {
  const totals = new Map<string, { cpu: number, requests: number }>()
  for (const { server, cpuSeconds, requests } of bursts) {
    const total = totals.get(server) ?? { cpu: 0, requests: 0 }
    totals.set(server, { cpu: total.cpu + cpuSeconds, requests: total.requests + requests })
  }
  const perRequest = (server: string): number => {
    const total = totals.get(server)
    if (total === undefined || total.requests === 0) throw new Error(`no responses from ${server} in this round`)
    return total.cpu / total.requests
  }
  const base = perRequest(baseline)
  return new Map([...totals.keys()].map((server) => [server, perRequest(server) / base]))
}

/** A figure over the rounds: median, range, and the range as ± per cent of the median. */
export interface Spread { median: number, min: number, max: number, plusMinus: number }

export function spread (values: readonly number[]): Spread {
  const m = median([...values])
  return { median: m, min: min([...values]), max: max([...values]), plusMinus: Math.max(max([...values]) / m - 1, 1 - min([...values]) / m) }
}
