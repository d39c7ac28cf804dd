import { parse } from 'yaml'
import { fileAt, flag } from './mounts.ts'
import { containersOf, describe, find, podTemplates, type K8sObject, type PodTemplate } from './objects.ts'

/**
 * The addresses written inside the config files resolve in the stack: each Prometheus scrape
 * target is a Service port (or a discovered pod port), Grafana's datasource URL is a Service
 * port, and the files Grafana is told to load are mounted.
 */
export function checkConfigRefs (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const template of podTemplates(objects)) {
    for (const container of containersOf(template.spec)) {
      const configFile = flag(container, 'config.file')
      if (configFile !== undefined && /prometheus/.test(container.image)) {
        errors.push(...checkPrometheus(objects, template, container, configFile))
      }
      if (/grafana/.test(container.image)) errors.push(...checkGrafana(objects, template, container))
    }
  }
  return errors
}

function checkPrometheus (objects: readonly K8sObject[], template: PodTemplate, container: any, path: string): string[] {
  const where = `${describe(template.owner)}: ${path}`
  const text = fileAt(objects, template.owner, template.spec, container, path)
  if (text === undefined) return [`${where} is not mounted from a ConfigMap`]
  const errors: string[] = []
  for (const job of parse(text)?.scrape_configs ?? []) {
    for (const target of (job.static_configs ?? []).flatMap((c: any) => c.targets ?? [])) {
      const problem = resolveTarget(objects, template, container, target)
      if (problem !== undefined) errors.push(`${where}: job ${job.job_name}: target ${target} ${problem}`)
    }
    for (const sd of job.kubernetes_sd_configs ?? []) {
      errors.push(...checkPodDiscovery(objects, template, job, sd).map((p) => `${where}: job ${job.job_name}: ${p}`))
    }
  }
  return errors
}

/** Why `host:port` reaches nothing in the stack, or undefined when it resolves. */
function resolveTarget (objects: readonly K8sObject[], template: PodTemplate, container: any, target: string): string | undefined {
  const [host, port] = target.split(':') as [string, string | undefined]
  if (host === 'localhost' || host === '127.0.0.1') {
    return (container.ports ?? []).some((p: any) => String(p.containerPort) === port) ? undefined : 'is no port of this container'
  }
  return resolveService(objects, template.owner.metadata.namespace, host, Number(port))
}

/**
 * Why `host` (`name`, `name.namespace`, `name.namespace.svc…`) and `port` are no Service port
 * in the stack, or undefined when they are.
 */
export function resolveService (objects: readonly K8sObject[], namespace: string | undefined, host: string, port: number): string | undefined {
  const [name, otherNamespace] = host.split('.') as [string, string | undefined]
  const service = find(objects, 'Service', name, otherNamespace ?? namespace)
  if (service === undefined) return `is no Service of the stack (${name})`
  return (service.spec.ports ?? []).some((p: any) => p.port === port) ? undefined : `is no port of Service ${name}`
}

/** Pod discovery needs a pod to keep, a port to scrape, and the right to list pods. */
function checkPodDiscovery (objects: readonly K8sObject[], template: PodTemplate, job: any, sd: any): string[] {
  if (sd.role !== 'pod') return [`kubernetes_sd_configs role ${sd.role} is not checked`]
  const errors: string[] = []
  const namespace = template.owner.metadata.namespace
  const keep = (label: string): RegExp | undefined => {
    const rule = (job.relabel_configs ?? []).find((r: any) => r.action === 'keep' && r.source_labels?.[0] === label)
    return rule === undefined ? undefined : new RegExp(`^(?:${rule.regex})$`)
  }
  const app = keep('__meta_kubernetes_pod_label_app_kubernetes_io_name')
  const pods = podTemplates(objects).filter((t) => t.owner.metadata.namespace === namespace &&
    app?.test(t.labels['app.kubernetes.io/name'] ?? '') === true)
  if (pods.length === 0) errors.push('keeps no pod of the stack (relabel keep on app.kubernetes.io/name)')
  const port = keep('__meta_kubernetes_pod_container_port_name')
  if (port !== undefined && !pods.some((t) => containersOf(t.spec).some((c) => (c.ports ?? []).some((p: any) => port.test(p.name ?? ''))))) {
    errors.push('keeps no container port of those pods')
  }
  if (template.spec.automountServiceAccountToken === false) errors.push('needs the ServiceAccount token, but automountServiceAccountToken is false')
  const account = template.spec.serviceAccountName ?? 'default'
  if (!canListPods(objects, account, namespace)) errors.push(`ServiceAccount ${account} may not list and watch pods`)
  return errors
}

function canListPods (objects: readonly K8sObject[], account: string, namespace: string | undefined): boolean {
  return objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === namespace)
    .filter((b) => (b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === account))
    .map((b) => find(objects, b.roleRef.kind, b.roleRef.name, b.roleRef.kind === 'Role' ? namespace : undefined))
    .some((role) => (role?.rules ?? []).some((rule: any) => (rule.apiGroups ?? []).includes('') &&
      (rule.resources ?? []).includes('pods') && ['list', 'watch'].every((verb) => rule.verbs.includes(verb))))
}

function checkGrafana (objects: readonly K8sObject[], template: PodTemplate, container: any): string[] {
  const env = Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]))
  const provisioning = env.GF_PATHS_PROVISIONING ?? '/etc/grafana/provisioning'
  const where = describe(template.owner)
  const errors: string[] = []
  const read = (path: string): string | undefined => fileAt(objects, template.owner, template.spec, container, path)
  const datasources = volumeKeys(objects, template, container, `${provisioning}/datasources`)
  if (datasources.length === 0) errors.push(`${where}: no datasource is provisioned in ${provisioning}/datasources`)
  for (const key of datasources) {
    for (const source of parse(read(`${provisioning}/datasources/${key}`)!)?.datasources ?? []) {
      const url = new URL(source.url)
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
      const problem = resolveService(objects, template.owner.metadata.namespace, url.hostname, port)
      if (problem !== undefined) errors.push(`${where}: datasource ${source.name} URL ${source.url} ${problem}`)
    }
  }
  for (const key of volumeKeys(objects, template, container, `${provisioning}/dashboards`)) {
    for (const provider of parse(read(`${provisioning}/dashboards/${key}`)!)?.providers ?? []) {
      const path = provider.options?.path
      if (volumeKeys(objects, template, container, path).length === 0) errors.push(`${where}: dashboard provider ${provider.name} reads ${path}, where no dashboard is mounted`)
    }
  }
  const home = env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH
  if (home !== undefined && read(home) === undefined) errors.push(`${where}: home dashboard ${home} is not mounted`)
  return errors
}

/** The file names that a ConfigMap volume mounted at `dir` shows. */
function volumeKeys (objects: readonly K8sObject[], template: PodTemplate, container: any, dir: string): string[] {
  const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === dir && m.subPath === undefined)
  const volume = (template.spec.volumes ?? []).find((v: any) => v.name === mount?.name)
  if (volume?.configMap === undefined) return []
  return Object.keys(find(objects, 'ConfigMap', volume.configMap.name, template.owner.metadata.namespace)?.data ?? {})
}
