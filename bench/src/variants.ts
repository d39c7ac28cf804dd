import { request } from 'node:http'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../tools/src/support/ports.ts'
import { start, untilReady } from '../../tools/src/support/processes.ts'
import { otlpSink } from './otlp-sink.ts'

/** One server: its compiled entry in dist/servers/; `metrics`: it gets the /metrics measurements; `traced`: it exports spans to the OTLP sink. */
export interface Variant { id: string, label: string, entry: string, args?: string[], env?: Record<string, string>, metrics: boolean, traced?: boolean }

export const BASELINE = 'fastify'
/** The other metrics integrations: logging-off service-a should cost no more than the cheapest. */
export const PEERS = ['fastify-metrics', 'fastify-metrics-13', 'express']
/** The saved build of service-a before tracing (BENCH_BUILDS=untraced=DIR) that tracing off is judged against. */
export const UNTRACED = 'untraced'

export const VARIANTS: Variant[] = [
  { id: 'node-http', label: 'node:http', entry: 'node-http.js', metrics: false },
  { id: 'fastify', label: 'bare Fastify', entry: 'fastify.js', metrics: false },
  { id: 'service-a-silent', label: 'service-a, logging off (LOG_LEVEL=silent), tracing off', entry: 'service-a.js', env: { LOG_LEVEL: 'silent' }, metrics: true },
  { id: 'service-a', label: 'service-a as shipped (LOG_LEVEL=info)', entry: 'service-a.js', env: { LOG_LEVEL: 'info' }, metrics: true },
  { id: 'fastify-metrics', label: 'fastify-metrics 14 defaults', entry: 'fastify.js', args: ['fastify-metrics'], metrics: true },
  { id: 'fastify-metrics-13', label: 'fastify-metrics 13.2.1 defaults (prom-client)', entry: 'fastify.js', args: ['fastify-metrics-13'], metrics: true },
  { id: 'express', label: 'Express 5 + express-prom-bundle', entry: 'express.js', metrics: true },
  // Tracing on, sampled as in k8s/, OTEL_BSP_* at the SDK's defaults. Logging off, as in tracing off that they are judged
  // against: the access log's write to a pipe would add its own cost and spread to both, and hide part of tracing's.
  ...[100, 10].map((percent) => ({ id: `service-a-traced-${percent}`, label: `service-a, logging off, tracing on, ${percent} % sampled`, entry: 'service-a.js', env: { LOG_LEVEL: 'silent', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(percent / 100) }, metrics: false, traced: true }))
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
  return [...(only === '' ? VARIANTS : VARIANTS.filter((v) => wanted.has(v.id))), ...builds.split(',').filter(Boolean).map((spec) => {
    const match = /^([\w.-]+)=([^:]+)(?::(\w+))?$/.exec(spec)
    if (match === null) throw new Error(`BENCH_BUILDS: expected name=DIR[:LOG_LEVEL], got ${JSON.stringify(spec)}`)
    const [, id, dir, level = 'silent'] = match
    return { id: id!, label: `${id} (${dir}, LOG_LEVEL=${level})`, entry: 'service-a.js', env: { SERVICE_A_DIR: resolve(dir!), LOG_LEVEL: level }, metrics: false }
  })]
}

/** `spawnToReadyMs`: from spawn() to the first 200 on GET /; `stop` sends SIGKILL by default (SIGTERM lets a profiled server write its profile). */
export interface RunningServer { pid: number, port: number, spawnToReadyMs: number, stop: (signal?: NodeJS.Signals) => Promise<unknown> }

/**
 * Starts a variant on a free loopback port, pinned to `cpu` where given (taskset execs node: the
 * pid is the server's), its stdout a pipe that this process drains as a container runtime does.
 * The caller's OTEL_* are left out: only the traced variants trace.
 */
export async function startServer (variant: Variant, cpu: number | undefined, nodeOptions: string[] = []): Promise<RunningServer> {
  const port = await freePort()
  const node = [process.execPath, ...nodeOptions, fileURLToPath(new URL(`../dist/servers/${variant.entry}`, import.meta.url)), ...(variant.args ?? [])]
  const [command, ...args] = cpu === undefined ? node : ['taskset', '-c', String(cpu), ...node]
  const env: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_'))), ...variant.env, PORT: String(port) }
  if (variant.traced === true) env.OTEL_EXPORTER_OTLP_ENDPOINT = await otlpSink()
  const started = performance.now()
  const child = start(command!, args, { name: variant.id, env })
  // GET / every 2 ms on a fresh connection (fetch would load undici into this process on first
  // use): polling any faster slows the start it measures.
  const isUp = async (): Promise<boolean> => await new Promise((resolve) => {
    request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => { res.resume(); resolve(res.statusCode === 200) }).on('error', () => resolve(false)).end()
  })
  await untilReady(child, isUp, { what: 'GET / answers 200', timeoutMs: 15_000, intervalMs: 2 })
  return { pid: child.pid!, port, spawnToReadyMs: performance.now() - started, stop: async (signal = 'SIGKILL') => await child.stop(signal) }
}
