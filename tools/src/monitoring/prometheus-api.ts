import { fetchJson } from '../support/http.ts'

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
