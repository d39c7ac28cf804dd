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
 * Each server's CPU per request in one round: the median over its bursts. Another process on the
 * server's CPU only ever adds to a burst's cost, and it comes and goes within seconds; the median
 * drops the bursts it hit hardest, where a sum would keep them.
 */
export function perRequest (bursts: readonly Burst[]): Map<string, number> {
  const costs = new Map<string, number[]>()
  for (const { server, cpuSeconds, requests } of bursts) {
    if (requests === 0) throw new Error(`no responses from ${server} in a burst`)
    costs.set(server, [...costs.get(server) ?? [], cpuSeconds / requests])
  }
  return new Map([...costs].map(([server, values]) => [server, median(values)]))
}

/**
 * Each server's CPU per request over bare Fastify's in the same round: the bursts interleave, so
 * a change of the machine's load during the round reaches every server alike.
 */
export function roundRatios (bursts: readonly Burst[], baseline: string): Map<string, number> {
  const costs = perRequest(bursts)
  const base = costs.get(baseline)
  if (base === undefined) throw new Error(`no bursts of ${baseline} in this round`)
  return new Map([...costs].map(([server, cost]) => [server, cost / base]))
}

/** A figure over the rounds: median, range, and the range as ± per cent of the median. */
export interface Spread { median: number, min: number, max: number, plusMinus: number }

export function spread (values: readonly number[]): Spread {
  const m = median([...values])
  return { median: m, min: min([...values]), max: max([...values]), plusMinus: Math.max(max([...values]) / m - 1, 1 - min([...values]) / m) }
}
