import type {
  KubernetesObject, V1ClusterRole, V1ConfigMap, V1Container, V1CronJob, V1Deployment, V1ObjectMeta, V1PodSpec,
  V1PodTemplateSpec, V1Role, V1RoleBinding, V1Secret, V1Service
} from '@kubernetes/client-node'

/** A rendered object as plain data; `Kinds` types the ones the checks read. */
export type K8sObject = KubernetesObject & { metadata: V1ObjectMeta, [field: string]: any }
interface Kinds { ClusterRole: V1ClusterRole, ConfigMap: V1ConfigMap, Deployment: V1Deployment, Role: V1Role, RoleBinding: V1RoleBinding, Secret: V1Secret, Service: V1Service, [kind: string]: KubernetesObject }

/** `Kind/name`, how every message names an object. */
export const describe = (object: KubernetesObject): string => `${object.kind}/${object.metadata?.name}`

export function ofKind<K extends keyof Kinds & string> (objects: readonly KubernetesObject[], kind: K): Array<Kinds[K]> {
  return objects.filter((o) => o.kind === kind) as Array<Kinds[K]>
}

/** One object by kind, name and namespace (undefined matches undefined: a single component). */
export function find<K extends keyof Kinds & string> (objects: readonly KubernetesObject[], kind: K, name: string | undefined, namespace: string | undefined): Kinds[K] | undefined {
  return ofKind(objects, kind).find((o) => o.metadata?.name === name && o.metadata?.namespace === namespace)
}

export interface PodTemplate { owner: KubernetesObject, namespace: string | undefined, labels: Record<string, string>, spec: V1PodSpec }

/** The pod template of every workload kind: a Pod is its own, CronJob nests one level deeper. */
export function podTemplates (objects: readonly KubernetesObject[]): PodTemplate[] {
  return objects.flatMap((owner) => {
    const template: V1PodTemplateSpec | undefined = owner.kind === 'Pod'
      ? owner
      : owner.kind === 'CronJob' ? (owner as V1CronJob).spec?.jobTemplate.spec?.template : (owner as V1Deployment).spec?.template
    if (template?.spec === undefined) return []
    return [{ owner, namespace: owner.metadata?.namespace, labels: template.metadata?.labels ?? {}, spec: template.spec }]
  })
}

/** Init and ephemeral containers included: the rules apply to all. */
export const containersOf = (spec: V1PodSpec): V1Container[] => [...spec.initContainers ?? [], ...spec.containers ?? [], ...spec.ephemeralContainers ?? []]

/** Whether every label of `selector` is on `labels`; an empty selector selects nothing here. */
export function selects (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {})
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value)
}
