import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { fetchJson, request } from '../support/http.ts'
import { ALERTMANAGER_CONFIG } from './alertmanager-config.ts'

interface RouteConfig { route?: { receiver?: string, group_by?: string[] } }

/**
 * `make smoke` on Alertmanager: it is ready, runs this checkout's alertmanager.yml (the same
 * default receiver and grouping), and Prometheus sends its alerts to an Alertmanager.
 */
export async function checkAlertmanager (alertmanagerUrl: string, prometheusUrl: string, configFile: string = ALERTMANAGER_CONFIG): Promise<void> {
  const ready = await request(`${alertmanagerUrl}/-/ready`)
  if (!ready.ok) throw new Error(`/-/ready answered ${ready.status}`)
  const status = await fetchJson<{ config?: { original?: string } }>(`${alertmanagerUrl}/api/v2/status`)
  const running = (parse(status.config?.original ?? '') as RouteConfig | null)?.route
  const expected = (parse(readFileSync(configFile, 'utf8')) as RouteConfig).route
  if (running?.receiver !== expected?.receiver || JSON.stringify(running?.group_by) !== JSON.stringify(expected?.group_by)) {
    throw new Error(`it routes to ${running?.receiver} grouped by ${JSON.stringify(running?.group_by)}, not as alertmanager/alertmanager.yml (${expected?.receiver}, ${JSON.stringify(expected?.group_by)})`)
  }
  const senders = await fetchJson<{ data: { activeAlertmanagers: unknown[] } }>(`${prometheusUrl}/api/v1/alertmanagers`)
  if (senders.data.activeAlertmanagers.length === 0) throw new Error(`Prometheus at ${prometheusUrl} sends alerts to no Alertmanager (its alerting: block)`)
}
