/** One side of an A/B comparison: a saved build of service-a run at a log level. */
export interface Side { name: string, dir: string, logLevel: string }

/** `name=DIR` or `name=DIR:LOG_LEVEL` (silent by default: the instrumentation alone). */
export function parseSide (spec: string): Side {
  const match = /^([\w.-]+)=([^:]+)(?::(\w+))?$/.exec(spec)
  if (match === null) throw new Error(`expected name=DIR[:LOG_LEVEL], got ${JSON.stringify(spec)}`)
  return { name: match[1]!, dir: match[2]!, logLevel: match[3] ?? 'silent' }
}

/** CPU seconds and responses of one burst. */
export interface Burst { cpuSeconds: number, requests: number }

/**
 * Per cycle, each side's CPU per request divided by the baseline's in the same cycle: the
 * machine's load changes between cycles, and a ratio taken within one cycle cancels most of it.
 */
export function cycleRatios (cycles: Array<Record<string, Burst>>, baseline: string): Record<string, number[]> {
  const ratios: Record<string, number[]> = {}
  for (const cycle of cycles) {
    const base = perRequest(cycle[baseline]!)
    for (const [name, burst] of Object.entries(cycle)) (ratios[name] ??= []).push(perRequest(burst) / base)
  }
  return ratios
}

function perRequest ({ cpuSeconds, requests }: Burst): number {
  if (requests === 0) throw new Error('a burst with no responses')
  return cpuSeconds / requests
}
