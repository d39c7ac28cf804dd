import { resolve } from 'node:path'
import { PATHS, REPO_ROOT } from '../support/paths.ts'

export interface LocalSettings { servicePort: number, prometheusPort: number, grafanaPort: number, alertmanagerPort: number, runDir: string, load: boolean }

/**
 * The local run's settings from the environment (the Makefile passes its variables), with the
 * ports the Kubernetes stack's port-forwards use, so that URLs are the same in both runs.
 */
export function settingsFromEnv (env: NodeJS.ProcessEnv): LocalSettings {
  const number = (name: string, fallback: number, what: string, valid: (value: number) => boolean): number => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    if (!valid(Number(text))) throw new Error(`${name} must be ${what}, not "${text}"`)
    return Number(text)
  }
  const port = (name: string, fallback: number): number => number(name, fallback, 'a TCP port (1-65535)', (value) => Number.isInteger(value) && value >= 1 && value <= 65535)
  return {
    servicePort: port('SERVICE_PORT', 9000),
    prometheusPort: port('PROMETHEUS_PORT', 9090),
    grafanaPort: port('GRAFANA_PORT', 3000),
    alertmanagerPort: port('ALERTMANAGER_PORT', 9093),
    runDir: resolve(REPO_ROOT, env.RUN_DIR ?? PATHS.runDir),
    // The load generator runs unless LOAD=0: the dashboards have data without anyone's traffic.
    load: number('LOAD', 1, '1 or 0', (value) => value === 0 || value === 1) === 1
  }
}
