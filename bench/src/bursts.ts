import { max, median, min } from 'simple-statistics'

/**
 * The order of one round's bursts, one per server per cycle. Cycles come in pairs, forwards then
 * backwards (A B C, C B A), so a load that rises or falls steadily costs every server the same;
 * each pair starts one place further on, so that no server always goes first or follows the same
 * neighbour (whose leftover GC or cold caches it inherits).
 */
export function schedule<T> (servers: readonly T[], cycles: number): T[][] {
  return Array.from({ length: cycles }, (_, c) => {
    const turned = servers.map((_, i) => servers[(i + (c >> 1)) % servers.length]!)
    return c % 2 === 1 ? turned.reverse() : turned
  })
}

export interface Burst { server: string, cpuSeconds: number, requests: number }

/**
 * Each server's CPU per request in one round: the median of its bursts. Another process on its
 * CPU only ever adds to a burst's cost; the median drops the bursts it hit hardest.
 */
export function perRequest (bursts: readonly Burst[]): Map<string, number> {
  const costs = new Map<string, number[]>()
  for (const { server, cpuSeconds, requests } of bursts) {
    if (requests === 0) throw new Error(`no responses from ${server} in a burst`)
    costs.set(server, [...costs.get(server) ?? [], cpuSeconds / requests])
  }
  return new Map([...costs].map(([server, values]) => [server, median(values)]))
}

/** A figure over the rounds: median, range, and the range as ± per cent of the median. */
export interface Spread { median: number, min: number, max: number, plusMinus: number }

export function spread (values: number[]): Spread {
  const m = median(values)
  return { median: m, min: min(values), max: max(values), plusMinus: Math.max(max(values) / m - 1, 1 - min(values) / m) }
}
