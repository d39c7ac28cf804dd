import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fetchJson } from '../support/http.ts'
import { REPO_ROOT } from '../support/paths.ts'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

export const PROMETHEUS_MISSING = 'prometheus is not installed: run scripts/install-prometheus.sh ' +
  '(it uses apt-get where available), or put a prometheus binary from https://prometheus.io/download/ on PATH'

/**
 * Prometheus 3.x, the cluster's major version, which the tests run; `make run` keeps the
 * system's (bookworm: 2.42, with the web UI that Debian's 3.x build lacks).
 */
export function prometheus3 (env: NodeJS.ProcessEnv = process.env): string {
  const binary = join(env.PROMETHEUS3_DIR ?? join(REPO_ROOT, '.tools/prometheus-3'), 'bin/prometheus')
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run hack/offline-workarounds/install-prometheus3.sh (make test-monitoring does)`)
  return binary
}

/** Starts Prometheus (the system's unless `binary` is given) on a loopback port and resolves once /-/ready says its TSDB is open. */
export async function startPrometheus ({ configFile, dataDir, port, logFile, binary, args = [], signal }: { configFile: string, dataDir: string, port: number, logFile: string, binary?: string, args?: string[], signal?: AbortSignal }): Promise<{ url: string, child: Child }> {
  const command = binary ?? findExecutable('prometheus')
  if (command === undefined) throw new Error(PROMETHEUS_MISSING)
  mkdirSync(dataDir, { recursive: true })
  const url = `http://127.0.0.1:${port}`
  const flags = [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, ...args]
  // A loaded machine replays a WAL slowly: the generous timeout is no test's budget.
  const child = await startReady(command, flags, `${url}/-/ready`, { name: 'prometheus', output: { file: logFile }, detached: true, timeoutMs: 60_000, signal })
  return { url, child }
}

export interface Series { metric: Record<string, string>, value?: [number, string], values?: Array<[number, string]> }
export interface Target { labels: Record<string, string>, health: 'up' | 'down' | 'unknown', lastError: string, scrapeUrl: string }
export interface Rule { name: string, type: 'recording' | 'alerting', health: string, lastError?: string }
export interface Alert { labels: Record<string, string>, state: 'pending' | 'firing' | 'inactive' }

/** The few Prometheus HTTP API calls the local run, the smoke check and the tests make. */
export class PrometheusApi {
  readonly url: string
  constructor (url: string) { this.url = url }

  /** An instant query at `time` (seconds since the epoch; now when not given). */
  async query (expr: string, time?: number | string): Promise<Series[]> {
    return (await this.call<{ result: Series[] }>('query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) })).result
  }

  async queryRange (expr: string, start: number, end: number, step: number): Promise<Series[]> {
    return (await this.call<{ result: Series[] }>('query_range', { query: expr, start: String(start), end: String(end), step: String(step) })).result
  }

  async targets (): Promise<Target[]> { return (await this.call<{ activeTargets: Target[] }>('targets')).activeTargets }
  async rules (): Promise<Rule[]> { return (await this.call<{ groups: Array<{ rules: Rule[] }> }>('rules')).groups.flatMap((group) => group.rules) }
  async alerts (): Promise<Alert[]> { return (await this.call<{ alerts: Alert[] }>('alerts')).alerts }
  /** The alert URLs of the Alertmanagers it has discovered and sends to. */
  async alertmanagers (): Promise<string[]> { return (await this.call<{ activeAlertmanagers: Array<{ url: string }> }>('alertmanagers')).activeAlertmanagers.map(({ url }) => url) }
  async version (): Promise<string> { return (await this.call<{ version: string }>('status/buildinfo')).version }

  // Queries go as POST forms: long PromQL stays out of URLs, as Grafana's httpMethod: POST does.
  private async call<T> (endpoint: string, form?: Record<string, string>): Promise<T> {
    const init = form === undefined ? {} : { method: 'POST', body: new URLSearchParams(form) }
    return (await fetchJson<{ data: T }>(`${this.url}/api/v1/${endpoint}`, init)).data
  }
}
