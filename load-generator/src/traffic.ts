/**
 * The traffic mix of the load generator: what a gentle, realistic client of service-a sends, so
 * that every panel of the dashboard has data and the latency panels have a shape.
 */

export type RequestKind = 'root' | 'hello' | 'slow' | 'bad-delay' | 'not-found'

export interface PlannedRequest {
  kind: RequestKind
  /** Path and query, to append to the target's base URL. */
  path: string
  /** What service-a answers when it is healthy: anything else shows in the summary's statuses. */
  expectedStatus: 200 | 400 | 404
}

/**
 * Share of each kind, per thousand. The slow request is one in 500: a dot in the heatmap and an
 * exemplar every few minutes, yet well under 1 % of /hello/:name, so that the demo traffic keeps
 * that route well inside the latency SLO's 1 % budget of requests over 1 s (2 % kept it burning).
 */
export const MIX: ReadonlyArray<readonly [RequestKind, number]> = [
  ['root', 300],
  ['hello', 598],
  ['bad-delay', 50],
  ['not-found', 50],
  ['slow', 2]
]

/**
 * `delay` values of /hello/:name, spread over the histogram's buckets from 0.5 ms to 1 s, so
 * that p50, p90 and p99 come apart; no delay at all is the most common.
 */
export const DELAYS_MS = [0, 0, 0, 2, 5, 10, 20, 40, 80, 150, 300, 600] as const

/** The occasional slow request: past the 2.5 s bucket, well inside service-a's 10 s limit. */
export const SLOW_DELAY_MS = 3_000

const NAMES = ['ada', 'grace', 'alan', 'barbara', 'edsger', 'margaret', 'linus', 'radia'] as const

/** Not an integer, below the minimum, above service-a's 10 s maximum: each a 400. */
const BAD_DELAYS = ['soon', '-5', '60000'] as const

/** Paths no route matches; counted by service-a under route="<unmatched>". */
const UNKNOWN_PATHS = ['/favicon.ico', '/robots.txt', '/api/v1/users/42', '/hello/ada/profile'] as const

/** Picks the next request; `random` returns numbers in [0, 1) like Math.random (tests pass their own). */
export function planRequest (random: () => number = Math.random): PlannedRequest {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!
  const name = pick(NAMES)
  switch (pickKind(random() * 1000)) {
    case 'root':
      return { kind: 'root', path: '/', expectedStatus: 200 }
    case 'hello': {
      const delay = pick(DELAYS_MS)
      return { kind: 'hello', path: delay === 0 ? `/hello/${name}` : `/hello/${name}?delay=${delay}`, expectedStatus: 200 }
    }
    case 'bad-delay':
      return { kind: 'bad-delay', path: `/hello/${name}?delay=${pick(BAD_DELAYS)}`, expectedStatus: 400 }
    case 'not-found':
      return { kind: 'not-found', path: pick(UNKNOWN_PATHS), expectedStatus: 404 }
    case 'slow':
      return { kind: 'slow', path: `/hello/${name}?delay=${SLOW_DELAY_MS}`, expectedStatus: 200 }
  }
}

function pickKind (perMille: number): RequestKind {
  let bound = 0
  for (const [kind, share] of MIX.slice(0, -1)) {
    bound += share
    if (perMille < bound) return kind
  }
  // The rest of the 1000 belongs to the last kind.
  return MIX.at(-1)![0]
}
