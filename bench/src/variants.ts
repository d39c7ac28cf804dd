import { request } from 'node:http'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../tools/src/support/ports.ts'
import { start, untilReady } from '../../tools/src/support/processes.ts'
import { otlpSink } from './otlp-sink.ts'

/**
 * One server under test: its compiled entry in dist/servers/, as the image runs JavaScript;
 * `metrics`: it gets the /metrics measurements; `traced`: it exports spans to the OTLP sink.
 */
export interface Variant { id: string, label: string, entry: string, args?: string[], env?: Record<string, string>, metrics: boolean, traced?: boolean }

export const BASELINE = 'fastify'
/** The other metrics integrations: logging-off service-a should cost no more than the cheapest. */
export const PEERS = ['fastify-metrics', 'fastify-metrics-13', 'express']
/** The saved build (BENCH_BUILDS=untraced=DIR) of service-a before tracing, that tracing off is judged against. */
export const UNTRACED = 'untraced'

/**
 * Tracing on, sampled as in k8s/ (parent-based ratio), OTEL_BSP_* at the SDK's defaults. Logging
 * off, as in the tracing-off variant they are compared with: the access log's write to a pipe
 * would add its own cost and spread to both, and hide part of tracing's in the noise.
 */
const traced = (percent: number): Variant => ({
  ...{ id: `service-a-traced-${percent}`, label: `service-a, logging off, tracing on, ${percent} % sampled`, entry: 'service-a.js', metrics: false, traced: true },
  env: { LOG_LEVEL: 'silent', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(percent / 100) }
})

export const VARIANTS: Variant[] = [
  { id: 'node-http', label: 'node:http', entry: 'node-http.js', metrics: false },
  { id: 'fastify', label: 'bare Fastify', entry: 'fastify.js', metrics: false },
  { id: 'service-a-silent', label: 'service-a, logging off (LOG_LEVEL=silent), tracing off', entry: 'service-a.js', env: { LOG_LEVEL: 'silent' }, metrics: true },
  { id: 'service-a', label: 'service-a as shipped (LOG_LEVEL=info)', entry: 'service-a.js', env: { LOG_LEVEL: 'info' }, metrics: true },
  { id: 'fastify-metrics', label: 'fastify-metrics 14 defaults', entry: 'fastify.js', args: ['fastify-metrics'], metrics: true },
  { id: 'fastify-metrics-13', label: 'fastify-metrics 13.2.1 defaults (prom-client)', entry: 'fastify.js', args: ['fastify-metrics-13'], metrics: true },
  { id: 'express', label: 'Express 5 + express-prom-bundle', entry: 'express.js', metrics: true },
  traced(100),
  traced(10)
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
 * Starts a variant, compiled (npm run build: type stripping at load time would add ~17 MiB of
 * RSS), on a free loopback port, pinned to `cpu` with taskset where given (taskset execs node:
 * the pid is the server's). Its stdout is a pipe that this process drains: writing logs to a
 * pipe costs what it costs in a container.
 */
export async function startServer (variant: Variant, cpu: number | undefined, nodeOptions: string[] = []): Promise<RunningServer> {
  const port = await freePort()
  const node = [process.execPath, ...nodeOptions, fileURLToPath(new URL(`../dist/servers/${variant.entry}`, import.meta.url)), ...(variant.args ?? [])]
  const [command, ...args] = cpu === undefined ? node : ['taskset', '-c', String(cpu), ...node]
  // OTEL_* of the caller's shell left out: only the traced variants may trace.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')))
  const tracing = variant.traced === true ? { OTEL_EXPORTER_OTLP_ENDPOINT: await otlpSink() } : {}
  const started = performance.now()
  const child = start(command!, args, { name: variant.id, env: { ...inherited, ...variant.env, ...tracing, PORT: String(port) } })
  // GET / every 2 ms on a fresh connection (not fetch, whose first use loads undici in this
  // process): finer than that and the polling itself slows the start it measures.
  const isUp = async (): Promise<boolean> => await new Promise((resolve) => {
    request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => { res.resume(); resolve(res.statusCode === 200) }).on('error', () => resolve(false)).end()
  })
  await untilReady(child, isUp, { what: 'GET / answers 200', timeoutMs: 15_000, intervalMs: 2 })
  return { pid: child.pid!, port, spawnToReadyMs: performance.now() - started, stop: async (signal = 'SIGKILL') => await child.stop(signal) }
}
