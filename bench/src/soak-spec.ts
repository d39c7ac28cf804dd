import { linearRegression } from 'simple-statistics'
import { parse } from 'yaml'

/** What the soak takes from the Deployment: its container's limits and environment. */
export interface Limits { memoryBytes: number, cpus: number, env: Record<string, string> }

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }

/**
 * A Kubernetes memory quantity in bytes: `192Mi`, `200M`, `1.5Gi`, `134217728`.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export function memoryBytes (quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity)
  if (match === null) throw new Error(`not a memory quantity: ${JSON.stringify(quantity)}`)
  const unit = match[2] ?? ''
  return Math.round(Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit]!))
}

/** A Kubernetes CPU quantity in CPUs: `500m` is 0.5, `2` is 2. */
export function cpus (quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity)
  if (match === null) throw new Error(`not a CPU quantity: ${JSON.stringify(quantity)}`)
  return Number(match[1]) / (match[2] === 'm' ? 1000 : 1)
}

interface Container {
  name: string
  env?: Array<{ name: string, value?: string }>
  resources?: { limits?: { memory?: string | number, cpu?: string | number } }
}

/** The named container's limits and literal env values, from a Deployment's YAML. */
export function deploymentLimits (yamlText: string, container: string): Limits {
  const doc = parse(yamlText) as { spec?: { template?: { spec?: { containers?: Container[] } } } }
  const found = doc.spec?.template?.spec?.containers?.find((c) => c.name === container)
  if (found === undefined) throw new Error(`no container ${container} in the Deployment`)
  const { memory, cpu } = found.resources?.limits ?? {}
  if (memory === undefined || cpu === undefined) throw new Error(`container ${container} has no memory and CPU limits`)
  const env = Object.fromEntries((found.env ?? []).flatMap((e) => e.value === undefined ? [] : [[e.name, e.value]]))
  return { memoryBytes: memoryBytes(String(memory)), cpus: cpus(String(cpu)), env }
}

/** One sample of the service's own process metrics. */
export interface MemorySample {
  seconds: number
  rssBytes: number
  heapUsedBytes: number
  heapTotalBytes: number
  externalBytes: number
  /** The young generation's committed size: V8 sizes its ceiling from the memory it is given. */
  newSpaceBytes: number
  /** Request series: sample lines outside the process and runtime families. */
  series: number
}

/** Reads a sample from a Prometheus text page: prom-client's default process metrics. */
export function memorySample (page: string, seconds: number): MemorySample {
  const value = (sample: string): number => {
    const line = page.split('\n').find((l) => l.startsWith(`${sample} `))
    if (line === undefined) throw new Error(`/metrics has no sample ${sample}`)
    return Number(line.slice(sample.length + 1))
  }
  return {
    seconds,
    rssBytes: value('process_resident_memory_bytes'),
    heapUsedBytes: value('nodejs_heap_size_used_bytes'),
    heapTotalBytes: value('nodejs_heap_size_total_bytes'),
    externalBytes: value('nodejs_external_memory_bytes'),
    newSpaceBytes: value('nodejs_heap_space_size_total_bytes{space="new"}'),
    series: page.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !/^(process|nodejs)_/.test(line)).length
  }
}

export interface Verdict {
  peakRssBytes: number
  /** 1 − peak RSS / limit. */
  headroom: number
  /** Least-squares slope of RSS over the second half of the run, in MiB per minute. */
  lateSlopeMiBPerMinute: number
  levelsOff: boolean
  pass: boolean
}

/** RSS may still creep this much in the second half and count as level (GC noise, page reuse). */
export const LEVEL_SLOPE_MIB_PER_MINUTE = 1
export const HEADROOM_TARGET = 0.25

/**
 * The soak's target: RSS levels off (the second half's slope stays under a MiB a minute) with at
 * least 25 % headroom under the memory limit at its peak.
 */
export function verdict (samples: MemorySample[], limitBytes: number): Verdict {
  if (samples.length < 4) throw new Error(`too few samples to judge a trend (${samples.length})`)
  const peakRssBytes = Math.max(...samples.map((s) => s.rssBytes))
  const last = samples.at(-1)!.seconds
  const late = samples.filter((s) => s.seconds >= last / 2)
  const lateSlopeMiBPerMinute = linearRegression(late.map((s) => [s.seconds / 60, s.rssBytes / 2 ** 20])).m
  const headroom = 1 - peakRssBytes / limitBytes
  const levelsOff = lateSlopeMiBPerMinute < LEVEL_SLOPE_MIB_PER_MINUTE
  return { peakRssBytes, headroom, lateSlopeMiBPerMinute, levelsOff, pass: levelsOff && headroom >= HEADROOM_TARGET }
}

export interface ContainerRun { name: string, image: string, port: number, limits: Limits }

/**
 * `podman run` with the Deployment's limits and hardening, on the host's loopback only.
 * Swap is capped at the memory limit (no swap), as the kubelet runs pods. The log driver
 * passthrough hands the container's stdout to the soak, which drains it as a node's runtime does.
 */
export function podmanRunArgs ({ name, image, port, limits }: ContainerRun): string[] {
  const env = { ...limits.env, PORT: String(port), HOST: '127.0.0.1' }
  return [
    'run', '--name', name, '--replace', '--network', 'host', '--log-driver', 'passthrough',
    '--memory', String(limits.memoryBytes), '--memory-swap', String(limits.memoryBytes), '--cpus', String(limits.cpus),
    '--read-only', '--tmpfs', '/tmp', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    image
  ]
}
