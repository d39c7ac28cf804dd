import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { parse } from 'yaml'
import { ALERTMANAGER_CONFIG } from '../alerting/alertmanager.ts'
import { loadDashboard, readPrometheusDatasource } from '../monitoring/dashboard.ts'
import { readRuleNames } from '../monitoring/prometheus-config.ts'
import { PrometheusApi } from '../monitoring/prometheus-server.ts'
import { fetchJson, request } from '../support/http.ts'
import { PATHS } from '../support/paths.ts'

export interface SmokeOptions { serviceUrl: string, prometheusUrl: string, grafanaUrl: string, alertmanagerUrl: string, grafanaUser: string, grafanaPassword: string }

const USAGE = 'usage: smoke [SERVICE_URL [PROMETHEUS_URL [GRAFANA_URL]]]  ' +
  '(or the same names as environment variables; ALERTMANAGER_URL; GRAFANA_USER and GRAFANA_PASSWORD for Grafana\'s API)'

/**
 * Base URLs from the arguments, else the environment, else the ports that both `make run` and
 * `skaffold dev --port-forward` use. Grafana's credentials default to the Kubernetes stack's
 * generated admin secret when this checkout has one, else Grafana's own admin/admin.
 */
export function smokeOptions (args: string[], env: NodeJS.ProcessEnv, secretFile: string = PATHS.grafanaAdminSecret): SmokeOptions {
  if (args.length > 3 || args.some((arg) => !/^https?:\/\//.test(arg))) throw new Error(USAGE)
  const secret = existsSync(secretFile) ? parseEnv(readFileSync(secretFile, 'utf8')) : {}
  const url = (value: string): string => value.replace(/\/+$/, '')
  return {
    serviceUrl: url(args[0] ?? env.SERVICE_URL ?? 'http://localhost:9000'),
    prometheusUrl: url(args[1] ?? env.PROMETHEUS_URL ?? 'http://localhost:9090'),
    grafanaUrl: url(args[2] ?? env.GRAFANA_URL ?? 'http://localhost:3000'),
    alertmanagerUrl: url(env.ALERTMANAGER_URL ?? 'http://localhost:9093'),
    grafanaUser: env.GRAFANA_USER ?? secret['admin-user'] ?? 'admin',
    grafanaPassword: env.GRAFANA_PASSWORD ?? secret['admin-password'] ?? 'admin'
  }
}

/** The first check that failed; its message says what was expected and what came back. */
export class SmokeFailure extends Error {}

/**
 * Checks a running stack, local or port-forwarded, in order and stops at the first failure:
 * service-a answers, Prometheus scrapes it and has the repository's rules loaded; when
 * Alertmanager is reachable at all, it runs the repository's config and Prometheus sends to it;
 * when Grafana is, its health, the provisioned datasource and the dashboard.
 */
export async function smoke (options: SmokeOptions, report: (line: string) => void): Promise<void> {
  const step = async (what: string, check: () => Promise<void>): Promise<void> => {
    await check().catch((error: Error) => { throw new SmokeFailure(`${what}: ${error.message}`) })
    report(`ok    ${what}`)
  }
  // Each line names the URLs it checked: a port-forward that skaffold silently moved to another
  // local port (skaffold#5839, #9757) shows up as the wrong server behind one of them.
  await step(`service-a answers at ${options.serviceUrl}/ and ${options.serviceUrl}/readyz`, () => checkService(options.serviceUrl))
  const prometheus = new PrometheusApi(options.prometheusUrl)
  await step(`Prometheus scrapes service-a (${options.prometheusUrl}/api/v1/targets)`, () => checkTarget(prometheus))
  await step(`Prometheus has every rule of prometheus/rules/ loaded and healthy (${options.prometheusUrl}/api/v1/rules)`, () => checkRules(prometheus))
  // request() fails only when nothing answers at all.
  const reachable = async (url: string): Promise<boolean> => await request(url).then(() => true, () => false)
  const alertmanager = options.alertmanagerUrl
  if (!await reachable(`${alertmanager}/-/ready`)) report(`skip  Alertmanager is not reachable at ${alertmanager}; its checks are skipped`)
  else {
    await step(`Alertmanager is ready with alertmanager/alertmanager.yml (${alertmanager}/api/v2/status) and Prometheus sends to it (${options.prometheusUrl}/api/v1/alertmanagers)`,
      () => checkAlertmanager(alertmanager, prometheus))
  }
  if (!await reachable(`${options.grafanaUrl}/api/health`)) {
    report(`skip  Grafana is not reachable at ${options.grafanaUrl}; its checks are skipped`)
    return
  }
  await step(`Grafana is healthy (${options.grafanaUrl}/api/health), with its datasource and dashboard`, () => checkGrafana(options))
}

async function checkService (url: string): Promise<void> {
  const hello = await fetchJson<{ message?: string }>(`${url}/`)
  if (hello.message !== 'Hello, world!') throw new Error(`GET / answered ${JSON.stringify(hello)}`)
  await fetchJson(`${url}/readyz`)
}

async function checkTarget (api: PrometheusApi): Promise<void> {
  const targets = (await api.targets()).filter((target) => target.labels.job === 'service-a')
  if (targets.length === 0) throw new Error('no target of job service-a is configured')
  const down = targets.filter((target) => target.health !== 'up')
  if (down.length > 0) throw new Error(down.map((target) => `${target.scrapeUrl} is ${target.health}: ${target.lastError || 'not scraped yet'}`).join('; '))
}

async function checkRules (api: PrometheusApi): Promise<void> {
  const loaded = await api.rules()
  const expected = readRuleNames()
  const missing = [...expected.records, ...expected.alerts].filter((name) => !loaded.some((rule) => rule.name === name))
  if (missing.length > 0) throw new Error(`not loaded: ${missing.join(', ')}`)
  const broken = loaded.filter((rule) => rule.health === 'err')
  if (broken.length > 0) throw new Error(broken.map((rule) => `${rule.name} fails: ${rule.lastError}`).join('; '))
}

async function checkGrafana ({ grafanaUrl, grafanaUser, grafanaPassword }: SmokeOptions): Promise<void> {
  const health = await fetchJson<{ database?: string }>(`${grafanaUrl}/api/health`)
  if (health.database !== 'ok') throw new Error(`/api/health says the database is ${health.database}`)
  const headers = { authorization: `Basic ${Buffer.from(`${grafanaUser}:${grafanaPassword}`).toString('base64')}` }
  const { uid } = readPrometheusDatasource()
  const datasource = await fetchJson<{ status?: string, message?: string }>(`${grafanaUrl}/api/datasources/uid/${uid}/health`, { headers })
  if (datasource.status !== 'OK') throw new Error(`datasource ${uid} is ${datasource.status}: ${datasource.message}`)
  await fetchJson(`${grafanaUrl}/api/dashboards/uid/${loadDashboard().uid}`, { headers })
}

/** Alertmanager runs this checkout's alertmanager.yml (the same default receiver and grouping), and Prometheus sends to one. */
async function checkAlertmanager (alertmanagerUrl: string, prometheus: PrometheusApi): Promise<void> {
  const ready = await request(`${alertmanagerUrl}/-/ready`)
  if (!ready.ok) throw new Error(`/-/ready answered ${ready.status}`)
  const status = await fetchJson<{ config?: { original?: string } }>(`${alertmanagerUrl}/api/v2/status`)
  const route = (config: string): string => { const { receiver, group_by: groupBy } = parse(config)?.route ?? {}; return `${receiver} grouped by ${JSON.stringify(groupBy)}` }
  const [running, expected] = [route(status.config?.original ?? ''), route(readFileSync(ALERTMANAGER_CONFIG, 'utf8'))]
  if (running !== expected) throw new Error(`it routes to ${running}, not as alertmanager/alertmanager.yml (${expected})`)
  if ((await prometheus.alertmanagers()).length === 0) throw new Error(`Prometheus at ${prometheus.url} sends alerts to no Alertmanager (its alerting: block)`)
}
