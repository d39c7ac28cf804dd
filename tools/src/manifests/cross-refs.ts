import { containersOf, describe, find, podTemplates, type K8sObject, type PodTemplate } from './objects.ts'

/**
 * References between objects that the API server accepts but that leave a pod pending or a
 * Service without endpoints: selectors, target ports, ConfigMaps, Secrets, claims, accounts.
 */
export function checkCrossRefs (objects: readonly K8sObject[]): string[] {
  return [...checkSelectors(objects), ...checkServices(objects), ...checkPodRefs(objects), ...checkRbac(objects)]
}

/** Whether every label of `selector` is on `labels`; an empty selector selects nothing here. */
export function selects (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {})
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value)
}

/** The pod templates in `namespace` that `selector` matches. */
export function selectedPods (objects: readonly K8sObject[], selector: Record<string, string> | undefined, namespace?: string): PodTemplate[] {
  return podTemplates(objects).filter((t) => t.owner.metadata.namespace === namespace && selects(selector, t.labels))
}

function checkSelectors (objects: readonly K8sObject[]): string[] {
  return podTemplates(objects)
    .filter(({ owner }) => owner.spec?.selector?.matchLabels !== undefined)
    .filter(({ owner, labels }) => !selects(owner.spec.selector.matchLabels, labels))
    .map(({ owner }) => `${describe(owner)}: spec.selector does not match the pod template's labels`)
}

function checkServices (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const pods = selectedPods(objects, service.spec?.selector, service.metadata.namespace)
    if (pods.length === 0) {
      errors.push(`${describe(service)}: selector matches no pod template`)
      continue
    }
    for (const port of service.spec.ports ?? []) {
      const target = port.targetPort ?? port.port
      const found = pods.some(({ spec }) => containersOf(spec).some((c) => (c.ports ?? []).some((p: any) =>
        typeof target === 'string' ? p.name === target : p.containerPort === target)))
      if (!found) errors.push(`${describe(service)}: targetPort ${target} is no port of the selected containers`)
    }
  }
  return errors
}

function checkPodRefs (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    const namespace = owner.metadata.namespace
    const report = (message: string): void => { errors.push(`${describe(owner)}: ${message}`) }
    const exists = (kind: string, name: string): K8sObject | undefined => find(objects, kind, name, namespace)
    const volumes = new Map<string, any>((spec.volumes ?? []).map((v: any) => [v.name, v]))

    if (spec.serviceAccountName !== undefined && exists('ServiceAccount', spec.serviceAccountName) === undefined) {
      report(`ServiceAccount ${spec.serviceAccountName} does not exist`)
    }
    for (const volume of volumes.values()) {
      if (volume.configMap !== undefined) checkData(exists('ConfigMap', volume.configMap.name), volume.configMap, 'ConfigMap', report)
      if (volume.secret !== undefined) checkData(exists('Secret', volume.secret.secretName), { ...volume.secret, name: volume.secret.secretName }, 'Secret', report)
      const claim = volume.persistentVolumeClaim?.claimName
      if (claim !== undefined && exists('PersistentVolumeClaim', claim) === undefined) report(`PersistentVolumeClaim ${claim} does not exist`)
    }
    const mounted = new Set<string>()
    for (const container of containersOf(spec)) {
      for (const mount of container.volumeMounts ?? []) {
        mounted.add(mount.name)
        const volume = volumes.get(mount.name)
        if (volume === undefined) {
          report(`container ${container.name}: volumeMount ${mount.name} has no volume`)
          continue
        }
        const source = volume.configMap !== undefined ? exists('ConfigMap', volume.configMap.name) : undefined
        if (mount.subPath !== undefined && source !== undefined && !hasKey(source, mount.subPath)) {
          report(`container ${container.name}: subPath ${mount.subPath} is no key of ConfigMap ${source.metadata.name}`)
        }
      }
      for (const env of container.env ?? []) {
        const ref = env.valueFrom?.configMapKeyRef ?? env.valueFrom?.secretKeyRef
        if (ref === undefined) continue
        const kind = env.valueFrom.configMapKeyRef !== undefined ? 'ConfigMap' : 'Secret'
        checkData(exists(kind, ref.name), { name: ref.name, optional: ref.optional, items: [{ key: ref.key }] }, kind, report)
      }
    }
    for (const name of volumes.keys()) {
      if (!mounted.has(name)) report(`volume ${name} is mounted by no container`)
    }
  }
  return errors
}

/** A referenced ConfigMap or Secret exists and has the keys that `items` project. */
function checkData (source: K8sObject | undefined, ref: { name: string, optional?: boolean, items?: Array<{ key: string }> }, kind: string, report: (message: string) => void): void {
  if (ref.optional === true) return
  if (source === undefined) {
    report(`${kind} ${ref.name} does not exist`)
    return
  }
  for (const { key } of ref.items ?? []) {
    if (!hasKey(source, key)) report(`${kind} ${ref.name} has no key ${key}`)
  }
}

function hasKey (source: K8sObject, key: string): boolean {
  return key in { ...source.data, ...source.binaryData, ...source.stringData }
}

function checkRbac (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const binding of objects.filter((o) => o.kind === 'RoleBinding')) {
    const namespace = binding.metadata.namespace
    const { kind, name } = binding.roleRef
    if (find(objects, kind, name, kind === 'Role' ? namespace : undefined) === undefined) {
      errors.push(`${describe(binding)}: roleRef ${kind} ${name} does not exist`)
    }
    for (const subject of binding.subjects ?? []) {
      const where = subject.namespace ?? namespace
      if (subject.kind === 'ServiceAccount' && find(objects, 'ServiceAccount', subject.name, where) === undefined) {
        errors.push(`${describe(binding)}: subject ServiceAccount ${subject.name} does not exist in namespace ${where}`)
      }
    }
  }
  return errors
}
