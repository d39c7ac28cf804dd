import { containersOf, describe, podTemplates, type K8sObject } from './objects.ts'

/**
 * The oldest Kubernetes the manifests support: the one version the checks, the README and
 * docs/kubernetes.md state. 1.30 for service-a's `preStop.sleep` (beta and on by default there).
 */
export const MIN_KUBERNETES_VERSION = '1.30'

/** A field that an older API server rejects or drops, and the first minor version that serves it by default. */
interface Feature {
  what: string
  since: string
  /** Whether a container uses the field. */
  usedBy: (container: any) => boolean
}

const hooksOf = (container: any): any[] => [container.lifecycle?.preStop, container.lifecycle?.postStart].filter((h) => h !== undefined)

/** @see https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/ */
const POD_FEATURES: Feature[] = [
  { what: 'restartPolicy: Always on an init container (sidecar, SidecarContainers)', since: '1.29', usedBy: (c) => c.restartPolicy === 'Always' },
  { what: 'the sleep lifecycle action (PodLifecycleSleepAction)', since: '1.30', usedBy: (c) => hooksOf(c).some((h) => h.sleep !== undefined) },
  { what: 'a sleep of 0 seconds (PodLifecycleSleepActionAllowZero)', since: '1.33', usedBy: (c) => hooksOf(c).some((h) => h.sleep?.seconds === 0) }
]

/** `1.30` → [1, 30], for comparing minor versions. */
function parseVersion (version: string): [number, number] {
  const match = /^v?(\d+)\.(\d+)/.exec(version)
  if (match === null) throw new Error(`not a Kubernetes version: ${version}`)
  return [Number(match[1]), Number(match[2])]
}

export function olderThan (a: string, b: string): boolean {
  const [x, y] = [parseVersion(a), parseVersion(b)]
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1])
}

/** Every field the manifests use that needs a newer Kubernetes than `minimum`. */
export function checkKubernetesVersion (objects: readonly K8sObject[], minimum: string = MIN_KUBERNETES_VERSION): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    for (const feature of POD_FEATURES) {
      if (!olderThan(minimum, feature.since)) continue
      for (const container of containersOf(spec)) {
        if (feature.usedBy(container)) errors.push(`${describe(owner)}: container ${container.name as string} uses ${feature.what}, Kubernetes ${feature.since}+, above the minimum ${minimum}`)
      }
    }
  }
  for (const service of objects.filter((o) => o.kind === 'Service' && o.spec?.trafficDistribution !== undefined)) {
    if (olderThan(minimum, '1.31')) errors.push(`${describe(service)}: spec.trafficDistribution needs Kubernetes 1.31+, above the minimum ${minimum}`)
  }
  return errors
}
