import { dirname } from 'node:path'
import type { KubernetesObject, V1Container } from '@kubernetes/client-node'
import { parse } from 'yaml'
import { containersOf, describe, find, ofKind, podTemplates, type PodTemplate } from './objects.ts'

/**
 * What only a cluster would resolve in the config files: Prometheus' pod discovery (its static
 * targets the real Prometheus shows: prometheus-run.ts), Grafana's datasource URLs and dashboards.
 */
export function checkConfigRefs (objects: readonly KubernetesObject[]): string[] {
  return podTemplates(objects).flatMap((template) => containersOf(template.spec).flatMap((container) => {
    const files = mountedFiles(objects, template, container)
    // The image named prometheus, not every image of the prometheus organisation (alertmanager).
    if (/(^|\/)prometheus(:|@|$)/.test(container.image ?? '')) return checkPodDiscovery(objects, template, files)
    return /grafana/.test(container.image ?? '') ? checkGrafana(objects, template, container, files) : []
  }))
}

/** A container's ConfigMap and Secret files, path → content, as the kubelet lays them out: a deeper mount hides a shallower one's. */
export function mountedFiles (objects: readonly KubernetesObject[], { spec, namespace }: PodTemplate, container: V1Container): Map<string, string> {
  const files = new Map<string, string>()
  for (const mount of [...container.volumeMounts ?? []].sort((a, b) => a.mountPath.length - b.mountPath.length)) {
    const volume = spec.volumes?.find((v) => v.name === mount.name)
    const secret = find(objects, 'Secret', volume?.secret?.secretName, namespace)
    const data = volume?.configMap === undefined
      ? Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]))
      : find(objects, 'ConfigMap', volume.configMap.name, namespace)?.data ?? {}
    for (const { key, path } of (volume?.configMap ?? volume?.secret)?.items ?? Object.keys(data).map((key) => ({ key, path: key }))) {
      if (data[key] === undefined) continue
      if (mount.subPath === undefined) files.set(`${mount.mountPath}/${path}`, data[key])
      else if (mount.subPath === path) files.set(mount.mountPath, data[key])
    }
  }
  return files
}

interface ScrapeConfig { job_name: string, kubernetes_sd_configs?: Array<{ role: string }>, relabel_configs?: Array<{ action?: string, source_labels?: string[], regex?: string }> }

function checkPodDiscovery (objects: readonly KubernetesObject[], { owner, namespace, spec }: PodTemplate, files: Map<string, string>): string[] {
  return [...files].flatMap(([file, text]) => ((parse(text) as { scrape_configs?: ScrapeConfig[] } | null)?.scrape_configs ?? []).flatMap((job) => {
    const errors: string[] = []
    const keep = (label: string): RegExp | undefined => {
      const rule = job.relabel_configs?.find((r) => r.action === 'keep' && r.source_labels?.[0] === label)
      return rule === undefined ? undefined : new RegExp(`^(?:${rule.regex})$`)
    }
    for (const { role } of job.kubernetes_sd_configs ?? []) {
      if (role !== 'pod') {
        errors.push(`kubernetes_sd_configs role ${role} is not checked`)
        continue
      }
      const app = keep('__meta_kubernetes_pod_label_app_kubernetes_io_name')
      const pods = podTemplates(objects).filter((t) => t.namespace === namespace && app?.test(t.labels['app.kubernetes.io/name'] ?? '') === true)
      if (pods.length === 0) errors.push('keeps no pod of the stack (relabel keep on app.kubernetes.io/name)')
      const port = keep('__meta_kubernetes_pod_container_port_name')
      if (port !== undefined && !pods.some((t) => containersOf(t.spec).some((c) => c.ports?.some((p) => port.test(p.name ?? ''))))) errors.push('keeps no container port of those pods')
      if (spec.automountServiceAccountToken === false) errors.push('needs the ServiceAccount token, but automountServiceAccountToken is false')
      const account = spec.serviceAccountName ?? 'default'
      const canList = ofKind(objects, 'RoleBinding')
        .filter((b) => b.metadata?.namespace === namespace && b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === account))
        .map((b) => find(objects, b.roleRef.kind as 'Role', b.roleRef.name, b.roleRef.kind === 'Role' ? namespace : undefined))
        .some((role) => role?.rules?.some((rule) => rule.apiGroups?.includes('') === true && rule.resources?.includes('pods') === true &&
          ['list', 'watch'].every((verb) => rule.verbs.includes(verb))))
      if (!canList) errors.push(`ServiceAccount ${account} may not list and watch pods`)
    }
    return errors.map((message) => `${describe(owner)}: ${file}: job ${job.job_name}: ${message}`)
  }))
}

/** Why `host` (`name`, `name.namespace`, `name.namespace.svc…`) and `port` are no Service port in the stack, or undefined when they are. */
export function resolveService (objects: readonly KubernetesObject[], namespace: string | undefined, host: string, port: number): string | undefined {
  const [name, otherNamespace] = host.split('.')
  const service = find(objects, 'Service', name, otherNamespace ?? namespace)
  if (service === undefined) return `is no Service of the stack (${name})`
  return service.spec?.ports?.some((p) => p.port === port) === true ? undefined : `is no port of Service ${name}`
}

function checkGrafana (objects: readonly KubernetesObject[], template: PodTemplate, container: V1Container, files: Map<string, string>): string[] {
  const env = (name: string): string | undefined => container.env?.find((e) => e.name === name)?.value
  const provisioning = env('GF_PATHS_PROVISIONING') ?? '/etc/grafana/provisioning'
  const errors: string[] = []
  const report = (message: string): number => errors.push(`${describe(template.owner)}: ${message}`)
  const filesIn = (dir: string | undefined): string[] => [...files.keys()].filter((file) => dirname(file) === dir)
  const read = <T>(dir: string, field: string): T[] => filesIn(`${provisioning}/${dir}`).flatMap((file) => (parse(files.get(file)!) as Record<string, T[]> | null)?.[field] ?? [])
  if (filesIn(`${provisioning}/datasources`).length === 0) report(`no datasource is provisioned in ${provisioning}/datasources`)
  for (const source of read<{ name: string, url: string }>('datasources', 'datasources')) {
    const url = new URL(source.url)
    const problem = resolveService(objects, template.namespace, url.hostname, url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port))
    if (problem !== undefined) report(`datasource ${source.name} URL ${source.url} ${problem}`)
  }
  for (const { name, options } of read<{ name: string, options?: { path?: string } }>('dashboards', 'providers')) {
    if (filesIn(options?.path).length === 0) report(`dashboard provider ${name} reads ${options?.path}, where no dashboard is mounted`)
  }
  const home = env('GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH')
  if (home !== undefined && !files.has(home)) report(`home dashboard ${home} is not mounted`)
  return errors
}
