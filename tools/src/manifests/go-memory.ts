import { describe, podTemplates, type K8sObject } from './objects.ts'

/**
 * Go programs stay under their container's memory limit only when the Go runtime knows it
 * (GOMEMLIMIT): the garbage collector then works harder near the limit instead of the kernel
 * killing the process. Prometheus 3 sets it by itself from the cgroup limit (--auto-gomemlimit,
 * on by default, 0.9 of the limit); Grafana and Alertmanager (whose own derivation is an
 * experimental feature flag) need it in their environment, as the Grafana Helm chart sets it
 * (resourceFieldRef limits.memory).
 * @see https://prometheus.io/docs/prometheus/latest/command-line/prometheus/
 */

const PROMETHEUS_3 = /\/prometheus\/prometheus:v3\./
const GRAFANA = /\/grafana\/grafana:/
const ALERTMANAGER = /\/prometheus\/alertmanager:/

export function checkGoMemory (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    for (const container of spec.containers ?? []) {
      const report = (message: string): void => { errors.push(`${describe(owner)}: container ${container.name as string}: ${message}`) }
      const image = String(container.image)
      if (![PROMETHEUS_3, GRAFANA, ALERTMANAGER].some((name) => name.test(image))) continue
      if (container.resources?.limits?.memory === undefined) report('no memory limit for the Go runtime to follow')
      const env = new Map<string, any>((container.env ?? []).map((e: any) => [e.name, e]))
      const limit = env.get('GOMEMLIMIT')
      if (PROMETHEUS_3.test(image)) {
        if (limit !== undefined) report('GOMEMLIMIT overrides the limit Prometheus 3 derives from the container (--auto-gomemlimit)')
        if ((container.args ?? []).includes('--no-auto-gomemlimit')) report('--no-auto-gomemlimit leaves the Go runtime without the container\'s limit')
        continue
      }
      const field = limit?.valueFrom?.resourceFieldRef
      if (field?.resource !== 'limits.memory' || (field.containerName !== undefined && field.containerName !== container.name)) {
        report('GOMEMLIMIT must come from its own limits.memory (valueFrom.resourceFieldRef)')
      }
      // Grafana 12+ downloads "preinstalled" plugins at every start.
      if (GRAFANA.test(image) && env.get('GF_PLUGINS_PREINSTALL_DISABLED')?.value !== 'true') report('GF_PLUGINS_PREINSTALL_DISABLED must be "true": plugin downloads at start need egress and fill /tmp')
    }
  }
  return errors
}
