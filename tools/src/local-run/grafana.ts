import { existsSync, mkdirSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { deriveLocalProvisioning } from '../monitoring/grafana-provisioning.ts'
import { PATHS } from '../support/paths.ts'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

export const GRAFANA_MISSING = 'Grafana: no grafana binary on PATH, so the local run goes without it. ' +
  'Install Grafana (https://grafana.com/docs/grafana/latest/setup-grafana/installation/) to see the ' +
  'dashboard locally, or use the Kubernetes stack (skaffold dev --port-forward) where it is included.'

/** How to start the Grafana found on PATH: the single `grafana server` binary, or the older `grafana-server`. */
export function findGrafana (env: NodeJS.ProcessEnv = process.env): { command: string, args: string[] } | undefined {
  const grafana = findExecutable('grafana', env.PATH)
  const legacy = findExecutable('grafana-server', env.PATH)
  const binary = grafana ?? legacy
  if (binary === undefined) return undefined
  const home = env.GRAFANA_HOME ?? grafanaHome(binary)
  return { command: binary, args: [...(grafana === undefined ? [] : ['server']), '--homepath', home] }
}

/** A release tarball keeps its static files in public/ beside bin/; packages put them in /usr/share/grafana. */
function grafanaHome (binary: string): string {
  const beside = dirname(dirname(realpathSync(binary)))
  return existsSync(join(beside, 'public')) ? beside : '/usr/share/grafana'
}

export interface GrafanaOptions { port: number, prometheusUrl: string, runDir: string, readyTimeoutMs?: number, signal?: AbortSignal }

/**
 * Starts Grafana with the stack's provisioning (only the Prometheus URL and dashboards folder
 * derived), the service-a dashboard as home, and anonymous read-only access for local use.
 */
export async function startGrafana (found: { command: string, args: string[] }, options: GrafanaOptions): Promise<{ url: string, child: Child }> {
  const dir = join(options.runDir, 'grafana')
  mkdirSync(join(dir, 'data'), { recursive: true })
  deriveLocalProvisioning({ prometheusUrl: options.prometheusUrl, outDir: join(dir, 'provisioning') })
  const url = `http://127.0.0.1:${options.port}`
  const logFile = join(dir, 'grafana.log')
  // The first start migrates Grafana's database, which takes a while.
  const child = await startReady(found.command, found.args, `${url}/api/health`, {
    name: 'grafana',
    output: { file: logFile },
    detached: true,
    timeoutMs: options.readyTimeoutMs ?? 90_000,
    signal: options.signal,
    env: {
      ...process.env,
      GF_PATHS_DATA: join(dir, 'data'),
      GF_PATHS_LOGS: join(dir, 'logs'),
      GF_PATHS_PLUGINS: join(dir, 'plugins'),
      GF_PATHS_PROVISIONING: join(dir, 'provisioning'),
      GF_SERVER_HTTP_ADDR: '127.0.0.1',
      GF_SERVER_HTTP_PORT: String(options.port),
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: PATHS.dashboard,
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false'
    }
  })
  return { url, child }
}
