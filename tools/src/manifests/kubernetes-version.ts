import { containersOf, describe, podTemplates, type K8sObject } from './objects.ts'

/**
 * The oldest Kubernetes the manifests support: the one version the checks, the README and
 * docs/kubernetes.md state. 1.30 for service-a's `preStop.sleep` (beta and on by default there).
 */
export const MIN_KUBERNETES_VERSION = '1.30'

const hooksOf = (container: any): any[] => [container.lifecycle?.preStop, container.lifecycle?.postStart].filter((h) => h !== undefined)

/**
 * Fields that an older API server rejects or drops: what, the first 1.x minor version that
 * serves it by default, and whether a container uses it.
 * @see https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/
 */
const POD_FEATURES: Array<[string, number, (container: any) => boolean]> = [
  ['restartPolicy: Always on an init container (sidecar, SidecarContainers)', 29, (c) => c.restartPolicy === 'Always'],
  ['the sleep lifecycle action (PodLifecycleSleepAction)', 30, (c) => hooksOf(c).some((h) => h.sleep !== undefined)],
  ['a sleep of 0 seconds (PodLifecycleSleepActionAllowZero)', 33, (c) => hooksOf(c).some((h) => h.sleep?.seconds === 0)]
]

/** `1.30` → 30: the manifests target Kubernetes 1.x, so minor versions compare as numbers. */
const minor = (version: string): number => Number(/^v?1\.(\d+)/.exec(version)?.[1] ?? NaN)

/** Every field the manifests use that needs a newer Kubernetes than `minimum`. */
export function checkKubernetesVersion (objects: readonly K8sObject[], minimum: string = MIN_KUBERNETES_VERSION): string[] {
  if (Number.isNaN(minor(minimum))) throw new Error(`not a Kubernetes 1.x version: ${minimum}`)
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    for (const [what, since, usedBy] of POD_FEATURES.filter(([, since]) => minor(minimum) < since)) {
      for (const container of containersOf(spec).filter(usedBy)) {
        errors.push(`${describe(owner)}: container ${container.name} uses ${what}, Kubernetes 1.${since}+, above the minimum ${minimum}`)
      }
    }
  }
  for (const service of objects.filter((o) => o.kind === 'Service' && o.spec?.trafficDistribution !== undefined)) {
    if (minor(minimum) < 31) errors.push(`${describe(service)}: spec.trafficDistribution needs Kubernetes 1.31+, above the minimum ${minimum}`)
  }
  return errors
}
