import { parser } from '@prometheus-io/lezer-promql'
import { panelQueries, substituteGrafanaVariables, type Dashboard } from '../monitoring/dashboard.ts'
import { matches } from './network-flows.ts'
import { containersOf, describe, podTemplates, type K8sObject } from './objects.ts'

/**
 * The `job` label that the Prometheus Operator gives a PodMonitor's series: the value of the pod
 * label that `jobLabel` names, when the pod has it, else `<namespace>/<name of the PodMonitor>`.
 * What else decides it (ServiceMonitors, relabelings that write `job`) the stack does not use:
 * such a monitor is refused, not derived.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitorSpec
 */
export function podMonitorJobs (objects: readonly K8sObject[], monitor: K8sObject): string[] {
  const namespace = monitor.metadata.namespace ?? 'default'
  const endpoints = (monitor.spec?.podMetricsEndpoints ?? []) as Array<{ port?: string, portNumber?: number }>
  return podTemplates(objects)
    .filter((pod) => (pod.namespace ?? 'default') === namespace && matches(monitor.spec?.selector, pod.labels) && containersOf(pod.spec)
      .some((c) => c.ports?.some((p) => endpoints.some((e) => (e.port !== undefined && e.port === p.name) || e.portNumber === p.containerPort))))
    .map((pod) => pod.labels[monitor.spec?.jobLabel as string] ?? `${namespace}/${monitor.metadata.name}`)
}

/** The queries of the rendered PrometheusRules and of the dashboards in ConfigMaps labelled for Grafana's sidecar, with where they are. */
export function operatorQueries (objects: readonly K8sObject[]): Array<{ where: string, expr: string }> {
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
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) throw new Error(`cannot parse ${JSON.stringify(expr)} at ${node.from}`)
      const part = (name: string): string => { const child = node.node.getChild(name); return child === null ? '' : expr.slice(child.from, child.to) }
      if (!node.name.endsWith('LabelMatcher') || part('LabelName') !== 'job') return
      const literal = part('StringLiteral')
      // PromQL strings: double quotes as JSON escapes them, single quotes and backticks taken as written.
      found.push({ op: part('MatchOp'), value: literal.startsWith('"') ? JSON.parse(literal) : literal.slice(1, -1) })
    }
  })
  return found
}

const accepts = ({ op, value }: { op: string, value: string }, job: string): boolean =>
  op === '=' ? job === value : op === '!=' ? job !== value : new RegExp(`^(?:${value})$`).test(job) === (op === '=~')

/** Every job matcher of every rule and dashboard query accepts a job the operator gives; otherwise that rule or panel matches nothing. */
export function checkJobLabel (objects: readonly K8sObject[]): string[] {
  const monitors = objects.filter((o) => o.kind === 'PodMonitor' || o.kind === 'ServiceMonitor')
  const refused = monitors.filter((m) => m.kind === 'ServiceMonitor' || m.spec?.podMetricsEndpoints?.some((e: { relabelings?: Array<{ targetLabel?: string }> }) =>
    e.relabelings?.some((r) => r.targetLabel === 'job')))
  if (refused.length > 0) return refused.map((m) => `${describe(m)}: its job label is not derived here (only PodMonitors without a relabeling of job are)`)
  const jobs = [...new Set(monitors.flatMap((monitor) => podMonitorJobs(objects, monitor)))]
  if (jobs.length === 0) return ['no PodMonitor scrapes a pod of the rendered objects']
  return operatorQueries(objects).flatMap(({ where, expr }) => jobMatchers(expr)
    .filter((matcher) => !jobs.some((job) => accepts(matcher, job)))
    .map(({ op, value }) => `${where}: job${op}"${value}" matches no series: the operator names the job ${jobs.map((j) => `"${j}"`).join(', ')}`))
}
