/** One server under test: how to start it and what to measure on it. */
export interface Variant {
  id: string
  label: string
  /** File in dist/servers/: the compiled entry, as the image runs it. */
  entry: string
  args?: string[]
  /** Node.js options before the entry (the profiler's). */
  nodeOptions?: string[]
  env?: Record<string, string>
  /** Serves /metrics: gets the render, series and growth measurements. */
  metrics: boolean
}

export const BASELINE = 'fastify'

export const VARIANTS: Variant[] = [
  { id: 'node-http', label: 'node:http', entry: 'node-http.js', metrics: false },
  { id: 'fastify', label: 'bare Fastify', entry: 'fastify.js', metrics: false },
  { id: 'service-a-silent', label: 'service-a, instrumentation alone (LOG_LEVEL=silent)', entry: 'service-a.js', env: { LOG_LEVEL: 'silent' }, metrics: true },
  { id: 'service-a', label: 'service-a as shipped (LOG_LEVEL=info)', entry: 'service-a.js', env: { LOG_LEVEL: 'info' }, metrics: true },
  { id: 'fastify-metrics', label: 'fastify-metrics 14 defaults', entry: 'fastify-metrics.js', args: ['fastify-metrics'], metrics: true },
  { id: 'fastify-metrics-13', label: 'fastify-metrics 13.2.1 defaults (prom-client)', entry: 'fastify-metrics.js', args: ['fastify-metrics-13'], metrics: true },
  { id: 'express', label: 'Express 5 + express-prom-bundle', entry: 'express.js', metrics: true }
]

/** BENCH_ONLY=a,b limits a run to some variants (the baseline always runs: ratios need it). */
export function selectVariants (only: string | undefined): Variant[] {
  if (only === undefined || only === '') return VARIANTS
  const wanted = new Set([BASELINE, ...only.split(',').map((id) => id.trim())])
  const unknown = [...wanted].filter((id) => !VARIANTS.some((v) => v.id === id))
  if (unknown.length > 0) throw new Error(`BENCH_ONLY names unknown variants: ${unknown.join(', ')}`)
  return VARIANTS.filter((v) => wanted.has(v.id))
}
