import { parser } from '@prometheus-io/lezer-promql'
import { panelQueries, substituteGrafanaVariables, type Dashboard } from '../monitoring/dashboard.ts'
import { matches } from './network-flows.ts'
import { containersOf, podTemplates, type K8sObject } from './objects.ts'

/**
 * The `job` label the Prometheus Operator gives the series of each PodMonitor and ServiceMonitor,
 * derived from its documented rules (the CRDs' field documentation):
 * - PodMonitor: `<namespace>/<name of the PodMonitor>`, or the value of the pod label named by
 *   `jobLabel` when the pod has it;
 * - ServiceMonitor: the Service's name, or the value of the Service label named by `jobLabel`
 *   when the Service has it;
 * then the endpoint's `relabelings`, which the operator applies after its own.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitorSpec
 */

export interface Scraped { monitor: string, target: string, job: string }

interface Relabeling { sourceLabels?: string[], separator?: string, targetLabel?: string, regex?: string, replacement?: string, action?: string }
interface MonitorEndpoint { port?: string, portNumber?: number, targetPort?: string | number, relabelings?: Relabeling[] }
interface Selector { matchLabels?: Record<string, string>, matchExpressions?: Array<{ key: string, operator: string, values?: string[] }> }
interface MonitorSpec { jobLabel?: string, selector?: Selector, namespaceSelector?: { any?: boolean, matchNames?: string[] }, podMetricsEndpoints?: MonitorEndpoint[], endpoints?: MonitorEndpoint[] }

/** Every (monitor, scraped pod or Service) pair of the rendered objects, with the job its series get. */
export function operatorJobs (objects: readonly K8sObject[]): Scraped[] {
  return objects.filter((o) => o.kind === 'PodMonitor' || o.kind === 'ServiceMonitor').flatMap((monitor) => {
    const spec = monitor.spec as MonitorSpec
    const namespace = monitor.metadata.namespace ?? 'default'
    const inScope = (ns: string | undefined): boolean => spec.namespaceSelector?.any === true || (spec.namespaceSelector?.matchNames ?? [namespace]).includes(ns ?? 'default')
    const name = `${monitor.kind}/${monitor.metadata.name}`
    // Sanitised as Prometheus does for __meta_kubernetes_*_label_<name>.
    const meta = (kind: string, labels: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(labels).map(([key, value]) => [`__meta_kubernetes_${kind}_label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`, value]))

    if (monitor.kind === 'PodMonitor') {
      return podTemplates(objects)
        .filter((pod) => inScope(pod.owner.metadata?.namespace) && matches(spec.selector, pod.labels))
        .flatMap((pod) => (spec.podMetricsEndpoints ?? []).filter((endpoint) => containersOf(pod.spec).some((c) => (c.ports ?? []).some((p: { name?: string, containerPort: number }) =>
          endpoint.port !== undefined ? p.name === endpoint.port : p.containerPort === (endpoint.portNumber ?? endpoint.targetPort))))
          .map((endpoint) => {
            const fromLabel = spec.jobLabel === undefined ? undefined : pod.labels[spec.jobLabel]
            const job = fromLabel !== undefined && fromLabel !== '' ? fromLabel : `${namespace}/${monitor.metadata.name}`
            return { monitor: name, target: `pods of ${pod.owner.kind}/${pod.owner.metadata?.name}`, job: relabel(job, endpoint.relabelings, { ...meta('pod', pod.labels), __meta_kubernetes_namespace: namespace }) }
          }))
    }
    return objects.filter((o) => o.kind === 'Service' && inScope(o.metadata.namespace) && matches(spec.selector, o.metadata.labels ?? {}))
      .flatMap((service) => (spec.endpoints ?? []).filter((endpoint) => (service.spec?.ports ?? []).some((p: { name?: string }) => p.name === endpoint.port)).map((endpoint) => {
        const fromLabel = spec.jobLabel === undefined ? undefined : service.metadata.labels?.[spec.jobLabel]
        const job = fromLabel !== undefined && fromLabel !== '' ? fromLabel : service.metadata.name ?? ''
        return { monitor: name, target: `Service/${service.metadata.name}`, job: relabel(job, endpoint.relabelings, { ...meta('service', service.metadata.labels ?? {}), __meta_kubernetes_namespace: service.metadata.namespace ?? 'default' }) }
      }))
  })
}

/** The `replace` relabelings that write `job`, applied in order; any other way to write it is refused. */
function relabel (job: string, relabelings: readonly Relabeling[] = [], known: Record<string, string>): string {
  for (const { sourceLabels = [], separator = ';', targetLabel, regex = '(.*)', replacement = '$1', action = 'replace' } of relabelings) {
    if (targetLabel !== 'job') continue
    if (action.toLowerCase() !== 'replace') throw new Error(`cannot derive the job label: a relabeling writes it with action ${action}`)
    const labels: Record<string, string> = { ...known, job }
    const unknown = sourceLabels.filter((label) => !(label in labels))
    if (unknown.length > 0) throw new Error(`cannot derive the job label: a relabeling reads ${unknown.join(', ')}, known only in the cluster`)
    const match = new RegExp(`^(?:${regex})$`).exec(sourceLabels.map((label) => labels[label]).join(separator))
    if (match !== null) job = replacement.replace(/\$\{?(\d+)\}?/g, (_, group: string) => match[Number(group)] ?? '')
  }
  return job
}

/** A PromQL expression and where it comes from (a rule, a panel), for messages. */
export interface Query { where: string, expr: string }

/** The queries of the rendered PrometheusRules and of the dashboards in ConfigMaps labelled for Grafana's sidecar. */
export function operatorQueries (objects: readonly K8sObject[]): Query[] {
  const rules = objects.filter((o) => o.kind === 'PrometheusRule').flatMap((rule) =>
    (rule.spec?.groups ?? []).flatMap((group: { name: string, rules?: Array<{ record?: string, alert?: string, expr: string }> }) =>
      (group.rules ?? []).map((r) => ({ where: `PrometheusRule/${rule.metadata.name}: ${group.name}: ${r.record ?? r.alert}`, expr: String(r.expr) }))))
  const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard !== undefined).flatMap((configMap) =>
    Object.entries(configMap.data ?? {}).flatMap(([key, json]) => panelQueries(JSON.parse(json as string) as Dashboard).map(({ panel, refId, expr }) => ({
      where: `ConfigMap/${configMap.metadata.name}: ${key}: ${panel} ${refId}`,
      expr: substituteGrafanaVariables(expr, { rangeSeconds: 3600, intervalSeconds: 15, scrapeIntervalSeconds: 15 })
    }))))
  return [...rules, ...dashboards]
}

/** Every `job` matcher of a PromQL expression: `=`, `!=`, `=~` or `!~` and its value. */
export function jobMatchers (expr: string): Array<{ op: string, value: string }> {
  const found: Array<{ op: string, value: string }> = []
  const tree = parser.parse(expr)
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) throw new Error(`cannot parse ${JSON.stringify(expr)} at ${node.from}`)
      if (!node.name.endsWith('LabelMatcher')) return
      const part = (name: string): string => { const child = node.node.getChild(name); return child === null ? '' : expr.slice(child.from, child.to) }
      if (part('LabelName') !== 'job') return
      const literal = part('StringLiteral')
      // PromQL strings: double quotes as JSON escapes them, single quotes and backticks taken as written.
      found.push({ op: part('MatchOp'), value: literal.startsWith('"') ? JSON.parse(literal) : literal.slice(1, -1) })
    }
  })
  return found
}

const accepts = ({ op, value }: { op: string, value: string }, job: string): boolean =>
  op === '=' ? job === value : op === '!=' ? job !== value : new RegExp(`^(?:${value})$`).test(job) === (op === '=~')

/**
 * The check: every job matcher of every rule and dashboard query accepts a job that the
 * operator gives the scraped series; otherwise that rule or panel matches nothing.
 */
export function checkJobLabel (objects: readonly K8sObject[]): string[] {
  const jobs = [...new Set(operatorJobs(objects).map((s) => s.job))]
  if (jobs.length === 0) return ['no PodMonitor or ServiceMonitor scrapes a pod or Service of the rendered objects']
  return operatorQueries(objects).flatMap(({ where, expr }) => jobMatchers(expr)
    .filter((matcher) => !jobs.some((job) => accepts(matcher, job)))
    .map(({ op, value }) => `${where}: job${op}"${value}" matches no series: the operator names the job ${jobs.map((j) => `"${j}"`).join(', ')}`))
}
