import { linearRegression } from 'simple-statistics'
import { parse } from 'yaml'
import { parsePage } from './measure.ts'

/** What the soak takes from the Deployment: its container's limits and literal environment. */
export interface Limits { memoryBytes: number, cpus: number, env: Record<string, string> }

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, m: 1e-3 }

/** A Kubernetes quantity: memory in bytes (`192Mi`, `200M`, `1.5Gi`, `134217728`) or CPUs (`500m` is 0.5). @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/ */
export function quantity (text: string, kind: 'memory' | 'CPU'): number {
  const match = (kind === 'memory' ? /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/ : /^(\d+(?:\.\d+)?)(m)?$/).exec(text)
  if (match === null) throw new Error(`not a ${kind} quantity: ${JSON.stringify(text)}`)
  const value = Number(match[1]) * UNITS[match[2] ?? '']!
  return kind === 'memory' ? Math.round(value) : value
}

interface Container { name: string, env?: Array<{ name: string, value?: string }>, resources?: { limits?: { memory?: string | number, cpu?: string | number } } }

export function deploymentLimits (yamlText: string, container: string): Limits {
  const found = (parse(yamlText) as { spec?: { template?: { spec?: { containers?: Container[] } } } }).spec?.template?.spec?.containers?.find((c) => c.name === container)
  if (found === undefined) throw new Error(`no container ${container} in the Deployment`)
  const { memory, cpu } = found.resources?.limits ?? {}
  if (memory === undefined || cpu === undefined) throw new Error(`container ${container} has no memory and CPU limits`)
  const env = Object.fromEntries((found.env ?? []).flatMap((e) => e.value === undefined ? [] : [[e.name, e.value]]))
  return { memoryBytes: quantity(String(memory), 'memory'), cpus: quantity(String(cpu), 'CPU'), env }
}

/** One sample of the service's own process metrics (prom-client's defaults) and its request series. */
export interface MemorySample { seconds: number, rssBytes: number, heapUsedBytes: number, heapTotalBytes: number, externalBytes: number, newSpaceBytes: number, series: number }

export function memorySample (text: string, seconds: number): MemorySample {
  const { value, requestSeries: series } = parsePage(text)
  // newSpaceBytes: the young generation's committed size, whose ceiling V8 sizes from the memory it is given.
  return { seconds, rssBytes: value('process_resident_memory_bytes'), heapUsedBytes: value('nodejs_heap_size_used_bytes'), heapTotalBytes: value('nodejs_heap_size_total_bytes'), externalBytes: value('nodejs_external_memory_bytes'), newSpaceBytes: value('nodejs_heap_space_size_total_bytes{space="new"}'), series }
}

export const HEADROOM_TARGET = 0.25

export interface Verdict { peakRssBytes: number, headroom: number, lateSlopeMiBPerMinute: number, levelsOff: boolean, pass: boolean }

/** The soak's target: 25 % headroom under the memory limit, and RSS levelled off (the second half's least-squares slope under a MiB a minute: GC and page reuse still move it). */
export function verdict (samples: MemorySample[], limitBytes: number): Verdict {
  if (samples.length < 4) throw new Error(`too few samples to judge a trend (${samples.length})`)
  const peakRssBytes = Math.max(...samples.map((s) => s.rssBytes))
  const late = samples.filter((s) => s.seconds >= samples.at(-1)!.seconds / 2)
  const lateSlopeMiBPerMinute = linearRegression(late.map((s) => [s.seconds / 60, s.rssBytes / 2 ** 20])).m
  const [headroom, levelsOff] = [1 - peakRssBytes / limitBytes, lateSlopeMiBPerMinute < 1]
  return { peakRssBytes, headroom, lateSlopeMiBPerMinute, levelsOff, pass: levelsOff && headroom >= HEADROOM_TARGET }
}

/** `podman run` with the Deployment's limits and hardening, no swap (as on a node), on the host's loopback only; the soak drains stdout as a node's runtime does. */
export function podmanRunArgs ({ name, image, port, limits }: { name: string, image: string, port: number, limits: Limits }): string[] {
  return [
    'run', '--name', name, '--replace', '--network', 'host', '--log-driver', 'passthrough',
    '--memory', String(limits.memoryBytes), '--memory-swap', String(limits.memoryBytes), '--cpus', String(limits.cpus),
    '--read-only', '--tmpfs', '/tmp', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    ...Object.entries({ ...limits.env, PORT: String(port), HOST: '127.0.0.1' }).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    image
  ]
}

/** One soak of a run: its image, tracing sampled at `tracePercent` or off. */
export interface SoakRun { label: string, image: string, tracePercent?: number }

/** The image with tracing off, then traced at `tracePercent` (unless 0), then each `name=IMAGE` of `compare` with tracing off. */
export function soakRuns ({ image, compare, tracePercent }: { image: string, compare: string, tracePercent: number }): SoakRun[] {
  if (!(tracePercent >= 0 && tracePercent <= 100)) throw new Error(`SOAK_TRACE_PERCENT must be a number from 0 to 100 (got ${tracePercent})`)
  const others = compare.split(',').filter(Boolean).map((spec) => {
    const match = /^([\w.-]+)=(\S+)$/.exec(spec)
    if (match === null) throw new Error(`SOAK_COMPARE: expected name=IMAGE, got ${JSON.stringify(spec)}`)
    return { label: `${match[1]}, tracing off`, image: match[2]! }
  })
  return [{ label: 'service-a, tracing off', image }, ...(tracePercent > 0 ? [{ label: `service-a, tracing on at ${tracePercent} %`, image, tracePercent }] : []), ...others]
}
