import type { V1Container, V1EnvVar, V1LifecycleHandler } from '@kubernetes/client-node'
import { containersOf, describe, podTemplates, type K8sObject } from './objects.ts'

/** The oldest Kubernetes the manifests support, as the README and docs/kubernetes.md state: 1.30 for service-a's `preStop.sleep`. */
export const MIN_KUBERNETES_VERSION = '1.30'

const PROMETHEUS = /\/prometheus\/prometheus:/
const GRAFANA = /\/grafana\/grafana:/
const hooksOf = (c: V1Container): V1LifecycleHandler[] => [c.lifecycle?.preStop, c.lifecycle?.postStart].filter((h) => h !== undefined)
/**
 * Fields that an older API server rejects or drops, with the first 1.x minor that serves them by default.
 * @see https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/
 */
const FEATURES: Array<[string, number, (c: V1Container) => boolean]> = [
  ['restartPolicy: Always on an init container (sidecar, SidecarContainers)', 29, (c) => c.restartPolicy === 'Always'],
  ['the sleep lifecycle action (PodLifecycleSleepAction)', 30, (c) => hooksOf(c).some((h) => h.sleep !== undefined)],
  ['a sleep of 0 seconds (PodLifecycleSleepActionAllowZero)', 33, (c) => hooksOf(c).some((h) => h.sleep?.seconds === 0)]
]
// As numbers: 1.9 < 1.30.
const minor = (version: string): number => Number(/^v?1\.(\d+)/.exec(version)?.[1])

/**
 * What every long-running container needs in production, besides probes, resources and pinned
 * images (`builtImages`: the bare names Skaffold tags at deploy):
 * - a shutdown within the grace period: the kubelet sends SIGKILL terminationGracePeriodSeconds
 *   (30 when unset) after the preStop hook started; service-a bounds its own by SHUTDOWN_TIMEOUT_MS;
 * - a Go runtime that knows the memory limit (GOMEMLIMIT), so that its GC works harder near the
 *   limit instead of the kernel killing it: Prometheus 3 derives it from the cgroup
 *   (--auto-gomemlimit, on by default); Grafana and Alertmanager get it from limits.memory, as the
 *   Grafana Helm chart sets it; Grafana 12+ would also download "preinstalled" plugins at start;
 * - Prometheus' startup and liveness probes on `/-/healthy`: `/-/ready` waits for the WAL replay,
 *   so a probe that restarts the container there kills a long replay forever (the community
 *   chart does the same);
 * - no field that a Kubernetes older than `minimum` rejects or drops (every container).
 * @see https://prometheus.io/docs/prometheus/latest/command-line/prometheus/
 */
export function checkContainers (objects: readonly K8sObject[], builtImages: readonly string[] = [], minimum = MIN_KUBERNETES_VERSION): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    for (const c of containersOf(spec)) {
      for (const [what, since] of FEATURES.filter(([, since, uses]) => minor(minimum) < since && uses(c))) errors.push(`${describe(owner)}: container ${c.name} uses ${what}, Kubernetes 1.${since}+, above the minimum ${minimum}`)
      if (!spec.containers.includes(c)) continue
      const report = (message: string): number => errors.push(`${describe(owner)}: container ${c.name}: ${message}`)
      if (c.livenessProbe === undefined) report('livenessProbe is missing')
      if (c.readinessProbe === undefined) report('readinessProbe is missing')
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) if (c.resources?.[kind]?.[resource] === undefined) report(`resources.${kind}.${resource} is missing`)
      }
      const problem = imageProblem(c.image, builtImages)
      if (problem !== undefined) report(problem)
      const env = (name: string): V1EnvVar | undefined => c.env?.find((e) => e.name === name)
      const timeout = env('SHUTDOWN_TIMEOUT_MS')?.value
      const [grace, preStop] = [spec.terminationGracePeriodSeconds ?? 30, c.lifecycle?.preStop?.sleep?.seconds ?? 0]
      if (timeout !== undefined && !(grace > preStop + Number(timeout) / 1000)) errors.push(`${describe(owner)}: terminationGracePeriodSeconds ${grace} must exceed preStop sleep ${preStop} s + SHUTDOWN_TIMEOUT_MS ${timeout} ms`)
      const image = c.image ?? ''
      if (PROMETHEUS.test(image)) {
        for (const probe of ['startupProbe', 'livenessProbe'] as const) {
          const path = c[probe]?.httpGet?.path
          if (path !== undefined && path !== '/-/healthy') report(`${probe} must GET /-/healthy, not ${path}: it restarts the container while the WAL replays`)
        }
        if (c.readinessProbe?.httpGet?.path !== '/-/ready') report('readinessProbe must GET /-/ready (the TSDB is open)')
      }
      if (/\/prometheus\/prometheus:v3\./.test(image)) {
        if (env('GOMEMLIMIT') !== undefined) report('GOMEMLIMIT overrides the limit Prometheus 3 derives from the container (--auto-gomemlimit)')
        if (c.args?.includes('--no-auto-gomemlimit') === true) report('--no-auto-gomemlimit leaves the Go runtime without the container\'s limit')
      } else if (GRAFANA.test(image) || /\/prometheus\/alertmanager:/.test(image)) {
        const field = env('GOMEMLIMIT')?.valueFrom?.resourceFieldRef
        if (field?.resource !== 'limits.memory' || (field.containerName ?? c.name) !== c.name) report('GOMEMLIMIT must come from its own limits.memory (valueFrom.resourceFieldRef)')
        if (GRAFANA.test(image) && env('GF_PLUGINS_PREINSTALL_DISABLED')?.value !== 'true') report('GF_PLUGINS_PREINSTALL_DISABLED must be "true": plugin downloads at start need egress and fill /tmp')
      }
    }
  }
  for (const service of objects.filter((o) => o.kind === 'Service' && o.spec?.trafficDistribution !== undefined && minor(minimum) < 31)) {
    errors.push(`${describe(service)}: spec.trafficDistribution needs Kubernetes 1.31+, above the minimum ${minimum}`)
  }
  return errors
}

/** Why an image reference is not pinned, or undefined when it is. */
export function imageProblem (image = '', builtImages: readonly string[] = []): string | undefined {
  if (builtImages.includes(image) || image.includes('@sha256:')) return undefined
  // The tag follows the last colon after the last slash (a registry may have a port).
  const tag = /:([^/:]+)$/.exec(image)?.[1]
  if (tag === undefined) return `image ${image} has no tag`
  return tag === 'latest' ? `image ${image} must not use the latest tag` : undefined
}

/** Every object of a composed root carries the stack's `part-of` label, so that `kubectl delete -l` by it reaches all. */
export const checkPartOf = (objects: readonly K8sObject[]): string[] => objects
  .filter((o) => o.metadata.labels?.['app.kubernetes.io/part-of'] !== 'metrics-stack')
  .map((o) => `${describe(o)}: label app.kubernetes.io/part-of=metrics-stack is missing`)

/**
 * What the stack asks beyond Pod Security "restricted" (which the API server enforces): a numeric
 * non-root UID, so that the kubelet can verify runAsNonRoot whatever the image's USER, and a
 * read-only root filesystem, except for the images in `writableRoot` (skaffold dev syncs files into them).
 */
export function checkHardening (objects: readonly K8sObject[], writableRoot: readonly string[] = []): string[] {
  return podTemplates(objects).flatMap(({ owner, spec }) => containersOf(spec).flatMap((container) => {
    const where = `${describe(owner)}: container ${container.name}`
    const uid = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser
    return [
      ...Number.isInteger(uid) && uid !== 0 ? [] : [`${where}: runAsUser must be a numeric non-root UID`],
      ...container.securityContext?.readOnlyRootFilesystem === true || writableRoot.includes(container.image ?? '') ? [] : [`${where}: readOnlyRootFilesystem must be true (writable paths are volumes)`]
    ]
  }))
}
