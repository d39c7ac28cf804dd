import { existsSync } from 'node:fs'
import { prometheus3 } from '../monitoring/prometheus-server.ts'
import { REPO_ROOT } from '../support/paths.ts'

/**
 * The real binaries of the alerting tests: Alertmanager and amtool from Debian sid (the line
 * nearest the cluster's image; `hack/offline-workarounds/install-alertmanager-sid.sh`),
 * Prometheus 3.x. A missing one fails with the command that installs it, never skips.
 */
export function alertingBinaries (env: NodeJS.ProcessEnv = process.env): { alertmanager: string, amtool: string, prometheus: string } {
  const [alertmanager, amtool] = ['alertmanager', 'amtool'].map((name) => `${env.ALERTMANAGER_DIR ?? `${REPO_ROOT}.tools/alertmanager`}/bin/${name}`) as [string, string]
  for (const file of [alertmanager, amtool]) if (!existsSync(file)) throw new Error(`${file} is missing: run hack/offline-workarounds/install-alertmanager-sid.sh (make test-monitoring does)`)
  return { alertmanager, amtool, prometheus: prometheus3(env) }
}
