import { isAbsolute, resolve } from 'node:path'
import { PATHS, REPO_ROOT } from '../support/paths.ts'

export interface LocalSettings { servicePort: number, prometheusPort: number, grafanaPort: number, alertmanagerPort: number, runDir: string, load: boolean }

/**
 * The local run's settings from the environment (the Makefile passes its variables), with the
 * ports the Kubernetes stack's port-forwards use, so that URLs are the same in both runs.
 */
export function settingsFromEnv (env: NodeJS.ProcessEnv): LocalSettings {
  const runDir = env.RUN_DIR ?? PATHS.runDir
  return {
    servicePort: port(env, 'SERVICE_PORT', 9000),
    prometheusPort: port(env, 'PROMETHEUS_PORT', 9090),
    grafanaPort: port(env, 'GRAFANA_PORT', 3000),
    alertmanagerPort: port(env, 'ALERTMANAGER_PORT', 9093),
    runDir: isAbsolute(runDir) ? runDir : resolve(REPO_ROOT, runDir),
    // The load generator runs unless LOAD=0: the dashboards have data without anyone's traffic.
    load: flag(env, 'LOAD', true)
  }
}

function flag (env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  if (text !== '0' && text !== '1') throw new Error(`${name} must be 1 or 0, not "${text}"`)
  return text === '1'
}

function port (env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} must be a TCP port (1-65535), not "${text}"`)
  return value
}
