import { fetchJson } from '../support/http.ts'

/** The few Prometheus HTTP API calls the smoke check and the tests make. */

interface ApiAnswer<T> { status: 'success' | 'error', data: T, error?: string }

export interface Series { metric: Record<string, string>, value?: [number, string], values?: Array<[number, string]> }

export interface Target { labels: Record<string, string>, health: 'up' | 'down' | 'unknown', lastError: string, scrapeUrl: string }

export interface RuleGroup { name: string, file: string, rules: Array<{ name: string, type: 'recording' | 'alerting', health: string, lastError?: string }> }

export interface Alert { labels: Record<string, string>, state: 'pending' | 'firing' | 'inactive' }

export class PrometheusApi {
  readonly url: string
  constructor (url: string) { this.url = url.replace(/\/+$/, '') }

  /** An instant query; `time` in seconds since the epoch, now when not given. */
  async query (expr: string, time?: number): Promise<Series[]> {
    const form: Record<string, string> = { query: expr }
    if (time !== undefined) form.time = String(time)
    return await this.call<{ result: Series[] }>('query', form).then((data) => data.result)
  }

  async queryRange (expr: string, start: number, end: number, step: number): Promise<Series[]> {
    const form = { query: expr, start: String(start), end: String(end), step: String(step) }
    return await this.call<{ result: Series[] }>('query_range', form).then((data) => data.result)
  }

  async targets (): Promise<Target[]> {
    return await this.call<{ activeTargets: Target[] }>('targets').then((data) => data.activeTargets)
  }

  async ruleGroups (): Promise<RuleGroup[]> {
    return await this.call<{ groups: RuleGroup[] }>('rules').then((data) => data.groups)
  }

  async alerts (): Promise<Alert[]> {
    return await this.call<{ alerts: Alert[] }>('alerts').then((data) => data.alerts)
  }

  // Queries go as POST forms: long PromQL stays out of URLs, as Grafana's httpMethod: POST does.
  private async call<T> (endpoint: string, form?: Record<string, string>): Promise<T> {
    const init: RequestInit = form === undefined ? {} : { method: 'POST', body: new URLSearchParams(form) }
    const answer = await fetchJson<ApiAnswer<T>>(`${this.url}/api/v1/${endpoint}`, init)
    return answer.data
  }
}
