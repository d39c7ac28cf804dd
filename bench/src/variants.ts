import { resolve } from 'node:path'

/** One server under test: how to start it and what to measure on it. */
export interface Variant {
  id: string
  label: string
  /** File in dist/servers/: the compiled entry, as the image runs it. */
  entry: string
  args?: string[]
  env?: Record<string, string>
  /** Serves /metrics: gets the render and series measurements. */
  metrics: boolean
}

export const BASELINE = 'fastify'
/** The other metrics integrations: logging-off service-a should cost no more than the cheapest. */
export const PEERS = ['fastify-metrics', 'fastify-metrics-13', 'express']

export const VARIANTS: Variant[] = [
  { id: 'node-http', label: 'node:http', entry: 'node-http.js', metrics: false },
  { id: 'fastify', label: 'bare Fastify', entry: 'fastify.js', metrics: false },
  { id: 'service-a-silent', label: 'service-a, logging off (LOG_LEVEL=silent)', entry: 'service-a.js', env: { LOG_LEVEL: 'silent' }, metrics: true },
  { id: 'service-a', label: 'service-a as shipped (LOG_LEVEL=info)', entry: 'service-a.js', env: { LOG_LEVEL: 'info' }, metrics: true },
  { id: 'fastify-metrics', label: 'fastify-metrics 14 defaults', entry: 'fastify-metrics.js', args: ['fastify-metrics'], metrics: true },
  { id: 'fastify-metrics-13', label: 'fastify-metrics 13.2.1 defaults (prom-client)', entry: 'fastify-metrics.js', args: ['fastify-metrics-13'], metrics: true },
  { id: 'express', label: 'Express 5 + express-prom-bundle', entry: 'express.js', metrics: true }
]

/**
 * The servers of a run: BENCH_ONLY=a,b limits them (the baseline always runs: ratios need it);
 * BENCH_BUILDS=name=DIR[:LOG_LEVEL],… adds saved builds of service-a to the same interleaving,
 * to compare a change against the code before it (LOG_LEVEL silent by default).
 */
export function selectVariants (only = '', builds = ''): Variant[] {
  const wanted = new Set([BASELINE, ...only.split(',').map((id) => id.trim()).filter(Boolean)])
  const unknown = [...wanted].filter((id) => !VARIANTS.some((v) => v.id === id))
  if (unknown.length > 0) throw new Error(`BENCH_ONLY names unknown variants: ${unknown.join(', ')}`)
  const chosen = only === '' ? VARIANTS : VARIANTS.filter((v) => wanted.has(v.id))
  return [...chosen, ...builds.split(',').filter(Boolean).map(savedBuild)]
}

function savedBuild (spec: string): Variant {
  const match = /^([\w.-]+)=([^:]+)(?::(\w+))?$/.exec(spec)
  if (match === null) throw new Error(`BENCH_BUILDS: expected name=DIR[:LOG_LEVEL], got ${JSON.stringify(spec)}`)
  const [, id, dir, level = 'silent'] = match
  return { id: id!, label: `${id} (${dir}, LOG_LEVEL=${level})`, entry: 'service-a.js', env: { SERVICE_A_DIR: resolve(dir!), LOG_LEVEL: level }, metrics: false }
}
