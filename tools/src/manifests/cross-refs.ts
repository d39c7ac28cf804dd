import type { KubernetesObject, V1ConfigMap, V1Secret } from '@kubernetes/client-node'
import { containersOf, describe, find, ofKind, podTemplates, selects } from './objects.ts'

/**
 * References that the API server accepts but that leave a pod pending or a Service without
 * endpoints. A Deployment selector that misses its template and a volumeMount without a volume
 * it refuses itself (validation of every pod template).
 */
export function checkCrossRefs (objects: readonly KubernetesObject[]): string[] {
  const errors: string[] = []
  const templates = podTemplates(objects)
  for (const service of ofKind(objects, 'Service')) {
    const pods = templates.filter((t) => t.namespace === service.metadata?.namespace && selects(service.spec?.selector, t.labels))
    if (pods.length === 0) errors.push(`${describe(service)}: selector matches no pod template`)
    const ports = pods.flatMap(({ spec }) => containersOf(spec).flatMap((c) => c.ports ?? []))
    for (const { port, targetPort = port } of pods.length === 0 ? [] : service.spec?.ports ?? []) {
      if (!ports.some((p) => typeof targetPort === 'string' ? p.name === targetPort : p.containerPort === targetPort)) errors.push(`${describe(service)}: targetPort ${targetPort} is no port of the selected containers`)
    }
  }

  for (const { owner, namespace, spec } of templates) {
    const report = (message: string): number => errors.push(`${describe(owner)}: ${message}`)
    // An optional reference may point at nothing; otherwise the object and the keys it projects must exist.
    const data = (kind: 'ConfigMap' | 'Secret', name: string | undefined, keys: readonly string[], optional?: boolean): void => {
      const source = find(objects, kind, name, namespace)
      if (optional === true) return
      if (source === undefined) report(`${kind} ${name} does not exist`)
      const present = { ...source?.data, ...(source as V1ConfigMap | undefined)?.binaryData, ...(source as V1Secret | undefined)?.stringData }
      for (const key of source === undefined ? [] : keys) if (!(key in present)) report(`${kind} ${name} has no key ${key}`)
    }
    const account = spec.serviceAccountName
    if (account !== undefined && find(objects, 'ServiceAccount', account, namespace) === undefined) report(`ServiceAccount ${account} does not exist`)
    const volumes = spec.volumes ?? []
    for (const { configMap, secret, persistentVolumeClaim } of volumes) {
      if (configMap !== undefined) data('ConfigMap', configMap.name, (configMap.items ?? []).map((i) => i.key), configMap.optional)
      if (secret !== undefined) data('Secret', secret.secretName, (secret.items ?? []).map((i) => i.key), secret.optional)
      const claim = persistentVolumeClaim?.claimName
      if (claim !== undefined && find(objects, 'PersistentVolumeClaim', claim, namespace) === undefined) report(`PersistentVolumeClaim ${claim} does not exist`)
    }
    const containers = containersOf(spec)
    for (const container of containers) {
      for (const mount of container.volumeMounts ?? []) {
        const configMap = find(objects, 'ConfigMap', volumes.find((v) => v.name === mount.name)?.configMap?.name, namespace)
        if (mount.subPath !== undefined && configMap !== undefined && configMap.data?.[mount.subPath] === undefined) report(`container ${container.name}: subPath ${mount.subPath} is no key of ConfigMap ${configMap.metadata?.name}`)
      }
      for (const { valueFrom } of container.env ?? []) {
        const { configMapKeyRef: configMap, secretKeyRef: secret } = valueFrom ?? {}
        if (configMap !== undefined) data('ConfigMap', configMap.name, [configMap.key], configMap.optional)
        if (secret !== undefined) data('Secret', secret.name, [secret.key], secret.optional)
      }
    }
    for (const { name } of volumes) if (!containers.some((c) => c.volumeMounts?.some((m) => m.name === name))) report(`volume ${name} is mounted by no container`)
  }

  for (const binding of ofKind(objects, 'RoleBinding')) {
    const namespace = binding.metadata?.namespace
    const { kind, name } = binding.roleRef
    if (find(objects, kind, name, kind === 'Role' ? namespace : undefined) === undefined) errors.push(`${describe(binding)}: roleRef ${kind} ${name} does not exist`)
    for (const subject of binding.subjects ?? []) {
      const where = subject.namespace ?? namespace
      if (subject.kind === 'ServiceAccount' && find(objects, 'ServiceAccount', subject.name, where) === undefined) errors.push(`${describe(binding)}: subject ServiceAccount ${subject.name} does not exist in namespace ${where}`)
    }
  }
  return errors
}
