/** The parts of a V8 .cpuprofile file this summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }>
  samples: number[]
  timeDeltas: number[]
}

export interface Share { name: string, percent: number }

/** Where a script lives: its npm package, service-a's own code, or Node's internals. */
export function owner (url: string): string {
  if (url === '') return '(native, GC, idle)'
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (inPackage !== null) return inPackage[1]!
  if (url.includes('/service-a/')) return 'service-a'
  if (url.startsWith('node:')) return 'node: core'
  return url.replace(/^file:\/\/.*\//, '')
}

/**
 * Self time per function and per owner, as shares of the sampled time that was not idle:
 * a profile of a server under load is mostly its own code, Node's core and the GC.
 * Samples in the first `skipMs` (start-up and warm-up) are left out.
 */
export function summarize (profile: CpuProfile, skipMs = 0, top = 25): { functions: Share[], owners: Share[] } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const byFunction = new Map<string, number>()
  const byOwner = new Map<string, number>()
  let total = 0
  let elapsedUs = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    elapsedUs += dt
    const frame = nodes.get(id)!.callFrame
    if (elapsedUs < skipMs * 1000 || frame.functionName === '(idle)' || frame.functionName === '(program)') return
    total += dt
    const fn = `${frame.functionName || '(anonymous)'} ${owner(frame.url)}:${frame.lineNumber + 1}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt)
    const who = frame.functionName === '(garbage collector)' ? '(garbage collector)' : owner(frame.url)
    byOwner.set(who, (byOwner.get(who) ?? 0) + dt)
  })
  const shares = (map: Map<string, number>) => [...map]
    .map(([name, t]) => ({ name, percent: (100 * t) / total }))
    .sort((a, b) => b.percent - a.percent)
    .slice(0, top)
  return { functions: shares(byFunction), owners: shares(byOwner) }
}
