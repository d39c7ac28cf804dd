import { dirname, matchesGlob, resolve } from 'node:path'
import type { KubernetesObject, V1Container } from '@kubernetes/client-node'
import { parse } from 'yaml'
import { containersOf, describe, find, ofKind, podTemplates, type PodTemplate } from './objects.ts'

/**
 * The addresses and paths written inside the config files resolve in the stack, read as the pod
 * reads them: every Prometheus scrape target is a Service port (or a discovered pod port), and so
 * is every Alertmanager it sends alerts to; every rule and scrape config file pattern finds a
 * mounted file, Grafana's datasource URLs are Service ports, and the files Grafana is told to
 * load are mounted.
 */
export function checkConfigRefs (objects: readonly KubernetesObject[]): string[] {
  return podTemplates(objects).flatMap((template) => containersOf(template.spec).flatMap((container) => {
    const files = mountedFiles(objects, template, container)
    const configFile = container.args?.find((arg) => arg.startsWith('--config.file='))?.slice('--config.file='.length)
    // The image named prometheus, not every image of the prometheus organisation (alertmanager).
    if (configFile !== undefined && /(^|\/)prometheus(:|@|$)/.test(container.image ?? '')) return checkPrometheus(objects, template, files, configFile)
    if (/grafana/.test(container.image ?? '')) return checkGrafana(objects, template, container, files)
    return []
  }))
}

/**
 * The files that a container's ConfigMap and Secret volumes show, path → content, laid out as
 * the kubelet does (items, subPath); a deeper mount hides what a shallower one has at its path.
 */
export function mountedFiles (objects: readonly KubernetesObject[], { spec, namespace }: PodTemplate, container: V1Container): Map<string, string> {
  const files = new Map<string, string>()
  for (const mount of [...container.volumeMounts ?? []].sort((a, b) => a.mountPath.length - b.mountPath.length)) {
    const volume = spec.volumes?.find((v) => v.name === mount.name)
    const secret = find(objects, 'Secret', volume?.secret?.secretName, namespace)
    const data = volume?.configMap === undefined
      ? Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]))
      : find(objects, 'ConfigMap', volume.configMap.name, namespace)?.data ?? {}
    const items = (volume?.configMap ?? volume?.secret)?.items ?? Object.keys(data).map((key) => ({ key, path: key }))
    for (const { key, path } of items) {
      if (data[key] === undefined) continue
      if (mount.subPath === undefined) files.set(`${mount.mountPath}/${path}`, data[key])
      else if (mount.subPath === path) files.set(mount.mountPath, data[key])
    }
  }
  return files
}

interface ScrapeConfig {
  job_name: string
  static_configs?: Array<{ targets?: string[] }>
  kubernetes_sd_configs?: Array<{ role: string }>
  relabel_configs?: Array<{ action?: string, source_labels?: string[], regex?: string }>
}
interface PrometheusConfig {
  scrape_configs?: ScrapeConfig[]
  scrape_config_files?: string[]
  rule_files?: string[]
  alerting?: { alertmanagers?: Array<{ static_configs?: Array<{ targets?: string[] }> }> }
}

function checkPrometheus (objects: readonly KubernetesObject[], template: PodTemplate, files: Map<string, string>, configFile: string): string[] {
  const owner = describe(template.owner)
  const text = files.get(configFile)
  if (text === undefined) return [`${owner}: ${configFile} is not mounted from a ConfigMap`]
  const errors: string[] = []
  const config = parse(text) as PrometheusConfig | null
  const jobs = (config?.scrape_configs ?? []).map((job) => ({ job, file: configFile }))
  // Patterns are relative to the config file's folder; Prometheus itself ignores one that
  // matches nothing, which would silently drop a scrape job or the rules.
  for (const field of ['rule_files', 'scrape_config_files'] as const) {
    for (const pattern of config?.[field] ?? []) {
      const matched = [...files.keys()].filter((file) => matchesGlob(file, resolve(dirname(configFile), pattern)))
      if (matched.length === 0) errors.push(`${owner}: ${configFile}: ${field} ${pattern} matches no mounted file`)
      if (field === 'scrape_config_files') {
        for (const file of matched) jobs.push(...((parse(files.get(file)!) as PrometheusConfig | null)?.scrape_configs ?? []).map((job) => ({ job, file })))
      }
    }
  }
  // Where the alerts go: each Alertmanager target is a Service port, like a scrape target.
  for (const target of (config?.alerting?.alertmanagers ?? []).flatMap((a) => a.static_configs ?? []).flatMap((c) => c.targets ?? [])) {
    const [host, port] = target.split(':')
    const problem = resolveService(objects, template.namespace, host!, Number(port))
    if (problem !== undefined) errors.push(`${owner}: ${configFile}: alerting target ${target} ${problem}`)
  }
  for (const { job, file } of jobs) {
    const report = (message: string): number => errors.push(`${owner}: ${file}: job ${job.job_name}: ${message}`)
    for (const target of (job.static_configs ?? []).flatMap((c) => c.targets ?? [])) {
      const [host, port] = target.split(':')
      const ports = template.spec.containers.flatMap((c) => c.ports ?? [])
      const problem = host === 'localhost' || host === '127.0.0.1'
        ? (ports.some((p) => String(p.containerPort) === port) ? undefined : 'is no container port of this pod')
        : resolveService(objects, template.namespace, host!, Number(port))
      if (problem !== undefined) report(`target ${target} ${problem}`)
    }
    for (const { role } of job.kubernetes_sd_configs ?? []) {
      if (role === 'pod') checkPodDiscovery(objects, template, job).forEach(report)
      else report(`kubernetes_sd_configs role ${role} is not checked`)
    }
  }
  return errors
}

/**
 * Why `host` (`name`, `name.namespace`, `name.namespace.svc…`) and `port` are no Service port
 * in the stack, or undefined when they are.
 */
export function resolveService (objects: readonly KubernetesObject[], namespace: string | undefined, host: string, port: number): string | undefined {
  const [name, otherNamespace] = host.split('.')
  const service = find(objects, 'Service', name, otherNamespace ?? namespace)
  if (service === undefined) return `is no Service of the stack (${name})`
  return service.spec?.ports?.some((p) => p.port === port) === true ? undefined : `is no port of Service ${name}`
}

/** Pod discovery needs a pod to keep, a port to scrape, and the right to list pods. */
function checkPodDiscovery (objects: readonly KubernetesObject[], { namespace, spec }: PodTemplate, job: ScrapeConfig): string[] {
  const errors: string[] = []
  const keep = (label: string): RegExp | undefined => {
    const rule = job.relabel_configs?.find((r) => r.action === 'keep' && r.source_labels?.[0] === label)
    return rule === undefined ? undefined : new RegExp(`^(?:${rule.regex})$`)
  }
  const app = keep('__meta_kubernetes_pod_label_app_kubernetes_io_name')
  const pods = podTemplates(objects).filter((t) => t.namespace === namespace && app?.test(t.labels['app.kubernetes.io/name'] ?? '') === true)
  if (pods.length === 0) errors.push('keeps no pod of the stack (relabel keep on app.kubernetes.io/name)')
  const port = keep('__meta_kubernetes_pod_container_port_name')
  if (port !== undefined && !pods.some((t) => containersOf(t.spec).some((c) => c.ports?.some((p) => port.test(p.name ?? ''))))) {
    errors.push('keeps no container port of those pods')
  }
  if (spec.automountServiceAccountToken === false) errors.push('needs the ServiceAccount token, but automountServiceAccountToken is false')
  const account = spec.serviceAccountName ?? 'default'
  const canList = ofKind(objects, 'RoleBinding')
    .filter((b) => b.metadata?.namespace === namespace && b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === account))
    .map((b) => find(objects, b.roleRef.kind as 'Role', b.roleRef.name, b.roleRef.kind === 'Role' ? namespace : undefined))
    .some((role) => role?.rules?.some((rule) => rule.apiGroups?.includes('') === true && rule.resources?.includes('pods') === true &&
      ['list', 'watch'].every((verb) => rule.verbs.includes(verb))))
  if (!canList) errors.push(`ServiceAccount ${account} may not list and watch pods`)
  return errors
}

interface Datasources { datasources?: Array<{ name: string, url: string }> }
interface DashboardProviders { providers?: Array<{ name: string, options?: { path?: string } }> }

function checkGrafana (objects: readonly KubernetesObject[], template: PodTemplate, container: V1Container, files: Map<string, string>): string[] {
  const env = (name: string): string | undefined => container.env?.find((e) => e.name === name)?.value
  const provisioning = env('GF_PATHS_PROVISIONING') ?? '/etc/grafana/provisioning'
  const where = describe(template.owner)
  const errors: string[] = []
  const filesIn = (dir: string | undefined): string[] => [...files.keys()].filter((file) => dirname(file) === dir)
  const datasources = filesIn(`${provisioning}/datasources`)
  if (datasources.length === 0) errors.push(`${where}: no datasource is provisioned in ${provisioning}/datasources`)
  for (const source of datasources.flatMap((file) => (parse(files.get(file)!) as Datasources | null)?.datasources ?? [])) {
    const url = new URL(source.url)
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
    const problem = resolveService(objects, template.namespace, url.hostname, port)
    if (problem !== undefined) errors.push(`${where}: datasource ${source.name} URL ${source.url} ${problem}`)
  }
  for (const file of filesIn(`${provisioning}/dashboards`)) {
    for (const { name, options } of (parse(files.get(file)!) as DashboardProviders | null)?.providers ?? []) {
      if (filesIn(options?.path).length === 0) errors.push(`${where}: dashboard provider ${name} reads ${options?.path}, where no dashboard is mounted`)
    }
  }
  const home = env('GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH')
  if (home !== undefined && !files.has(home)) errors.push(`${where}: home dashboard ${home} is not mounted`)
  return errors
}
