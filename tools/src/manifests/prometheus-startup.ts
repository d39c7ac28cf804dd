import { request } from '../support/http.ts'
import { describe, podTemplates, type K8sObject } from './objects.ts'

/**
 * Prometheus answers `/-/healthy` as soon as its web server runs and `/-/ready` only once the
 * TSDB is open, after the WAL replay. A probe that restarts the container (startup, liveness)
 * must therefore not wait for `/-/ready`: a replay longer than its budget, however large,
 * is killed and starts over, forever. Readiness alone waits for the replay; the Prometheus
 * community chart's startup and liveness probes use `/-/healthy` too.
 */

const PROMETHEUS = /\/prometheus\/prometheus:/

export function checkPrometheusProbes (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    for (const container of (spec.containers ?? []).filter((c: any) => PROMETHEUS.test(String(c.image)))) {
      for (const probe of ['startupProbe', 'livenessProbe'] as const) {
        const path = container[probe]?.httpGet?.path
        if (path !== undefined && path !== '/-/healthy') errors.push(`${describe(owner)}: container ${container.name as string}: ${probe} must GET /-/healthy, not ${path as string}: it restarts the container while the WAL replays`)
      }
      if (container.readinessProbe?.httpGet?.path !== '/-/ready') errors.push(`${describe(owner)}: container ${container.name as string}: readinessProbe must GET /-/ready (the TSDB is open)`)
    }
  }
  return errors
}

/** The GOMEMLIMIT a running Go program reports on /metrics (math.MaxInt64 when unset). */
export async function goMemoryLimit (url: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).text()
  const match = /^go_gc_gomemlimit_bytes (\S+)$/m.exec(text)
  if (match === null) throw new Error(`${url}/metrics has no go_gc_gomemlimit_bytes`)
  return Number(match[1])
}
