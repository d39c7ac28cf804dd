import { existsSync, globSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { parse, stringify } from 'yaml'
import { PATHS } from '../support/paths.ts'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

export const GRAFANA_MISSING = 'Grafana: no grafana binary on PATH, so the local run goes without it. ' +
  'Install Grafana (https://grafana.com/docs/grafana/latest/setup-grafana/installation/) to see the ' +
  'dashboard locally, or use the Kubernetes stack (skaffold dev --port-forward) where it is included.'

/** How to start the Grafana found on PATH: the single `grafana server` binary, or the older `grafana-server`. */
export function findGrafana (env: NodeJS.ProcessEnv = process.env): { command: string, args: string[] } | undefined {
  const grafana = findExecutable('grafana', env.PATH)
  const binary = grafana ?? findExecutable('grafana-server', env.PATH)
  if (binary === undefined) return undefined
  // A release tarball keeps its static files in public/ beside bin/; packages put them in /usr/share/grafana.
  const beside = dirname(dirname(realpathSync(binary)))
  const home = env.GRAFANA_HOME ?? (existsSync(join(beside, 'public')) ? beside : '/usr/share/grafana')
  return { command: binary, args: [...(grafana === undefined ? [] : ['server']), '--homepath', home] }
}

/**
 * Writes the local run's Grafana provisioning: the stack's files with only the datasource URLs and
 * the dashboards folder replaced (provisioning reads environment variables but has no default for
 * an unset one), and without a local Jaeger, its datasource and the exemplar links to it.
 */
function deriveProvisioning (prometheusUrl: string, outDir: string, alertmanagerUrl?: string, jaegerUrl?: string): void {
  const derive = (from: string, to: string, change: (doc: any) => void): void => {
    mkdirSync(join(outDir, to), { recursive: true })
    for (const file of globSync(`${from}/*.{yml,yaml}`)) {
      const doc = parse(readFileSync(file, 'utf8'))
      change(doc)
      writeFileSync(join(outDir, to, basename(file)), stringify(doc))
    }
  }
  derive(PATHS.grafanaDatasources, 'datasources', (doc) => {
    if (jaegerUrl === undefined) doc.datasources = doc.datasources?.filter((source: { type: string }) => source.type !== 'jaeger')
    for (const source of doc.datasources ?? []) {
      if (source.type === 'jaeger') source.url = jaegerUrl
      if (source.type === 'prometheus') source.url = prometheusUrl
      if (source.type === 'prometheus' && jaegerUrl === undefined) delete source.jsonData.exemplarTraceIdDestinations
      // Without a local Alertmanager its datasource keeps the cluster URL and shows as failing.
      if (source.type === 'alertmanager' && alertmanagerUrl !== undefined) source.url = alertmanagerUrl
    }
  })
  derive(PATHS.grafanaDashboardProviders, 'dashboards', (doc) => { for (const provider of doc.providers ?? []) if (provider.type === 'file') provider.options.path = PATHS.grafanaDashboards })
  for (const dir of ['plugins', 'alerting']) mkdirSync(join(outDir, dir), { recursive: true })
}

/** Starts Grafana with the derived provisioning, the service-a dashboard as home, and anonymous read-only access for local use. */
export async function startGrafana (found: { command: string, args: string[] }, { port, prometheusUrl, alertmanagerUrl, jaegerUrl, runDir, signal }: { port: number, prometheusUrl: string, alertmanagerUrl?: string, jaegerUrl?: string, runDir: string, signal?: AbortSignal }): Promise<{ url: string, child: Child }> {
  const dir = join(runDir, 'grafana')
  mkdirSync(join(dir, 'data'), { recursive: true })
  deriveProvisioning(prometheusUrl, join(dir, 'provisioning'), alertmanagerUrl, jaegerUrl)
  const url = `http://127.0.0.1:${port}`
  const env = {
    ...process.env,
    ...Object.fromEntries(['data', 'logs', 'plugins', 'provisioning'].map((name) => [`GF_PATHS_${name.toUpperCase()}`, join(dir, name)])),
    GF_SERVER_HTTP_ADDR: '127.0.0.1',
    GF_SERVER_HTTP_PORT: String(port),
    GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: PATHS.dashboard,
    GF_AUTH_ANONYMOUS_ENABLED: 'true',
    GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
    GF_ANALYTICS_REPORTING_ENABLED: 'false',
    GF_ANALYTICS_CHECK_FOR_UPDATES: 'false'
  }
  // The first start migrates Grafana's database, which takes a while.
  const child = await startReady(found.command, found.args, `${url}/api/health`, { name: 'grafana', output: { file: join(dir, 'grafana.log') }, detached: true, timeoutMs: 120_000, signal, env })
  return { url, child }
}
