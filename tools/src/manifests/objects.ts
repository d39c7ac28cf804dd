/** The shapes the manifest checks read, and helpers to reach every pod template. */

/** A Kubernetes object as kustomize renders it: plain data, typed only where the checks read. */
export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string, namespace?: string, labels?: Record<string, string>, [key: string]: unknown }
  [key: string]: any
}

/** A pod spec found in a workload, with the object that owns it (for messages). */
export interface PodTemplate {
  owner: K8sObject
  labels: Record<string, string>
  spec: any
}

/** `Kind/name`, how every message names an object. */
export function describe (object: K8sObject): string {
  return `${object.kind}/${object.metadata.name}`
}

/** The pod spec of each workload kind; CronJob nests one level deeper. */
export function podTemplates (objects: readonly K8sObject[]): PodTemplate[] {
  const templates: PodTemplate[] = []
  for (const object of objects) {
    if (object.kind === 'Pod') {
      templates.push({ owner: object, labels: object.metadata.labels ?? {}, spec: object.spec })
      continue
    }
    const template = object.kind === 'CronJob'
      ? object.spec?.jobTemplate?.spec?.template
      : object.spec?.template
    if (template?.spec !== undefined) {
      templates.push({ owner: object, labels: template.metadata?.labels ?? {}, spec: template.spec })
    }
  }
  return templates
}

/** Every container of a pod spec, init and ephemeral ones included: the rules apply to all. */
export function containersOf (spec: any): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]
}

/** Objects of one kind in one namespace (undefined matches undefined: a single component). */
export function find (objects: readonly K8sObject[], kind: string, name: string, namespace?: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace)
}

/** A deep copy to break in a test or to patch without touching the original. */
export function clone<T> (value: T): T {
  return structuredClone(value)
}
