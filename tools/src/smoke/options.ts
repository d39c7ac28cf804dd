import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { PATHS } from '../support/paths.ts'

/** Without an alertmanagerUrl the Alertmanager checks are skipped, as when nothing answers there. */
export interface SmokeOptions { serviceUrl: string, prometheusUrl: string, grafanaUrl: string, alertmanagerUrl?: string, grafanaUser: string, grafanaPassword: string }

export const USAGE = 'usage: smoke [SERVICE_URL [PROMETHEUS_URL [GRAFANA_URL]]]  ' +
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
