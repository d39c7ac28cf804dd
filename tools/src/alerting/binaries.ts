import { accessSync, constants } from 'node:fs'
import { prometheus3 } from '../monitoring/prometheus-server.ts'
import { REPO_ROOT } from '../support/paths.ts'

/**
 * The real binaries of the alerting tests: Alertmanager and amtool from Debian sid (the line
 * nearest the cluster's image; `scripts/install-alertmanager.sh --tests`), Prometheus 3.x
 * (`scripts/install-prometheus3.sh`). `make test-monitoring` installs both; a missing one fails
 * with the command that installs it, never skips.
 */
export function alertingBinaries (env: NodeJS.ProcessEnv = process.env): { alertmanager: string, amtool: string, prometheus: string } {
  const alertmanagerDir = env.ALERTMANAGER_DIR ?? `${REPO_ROOT}.tools/alertmanager`
  return {
    alertmanager: executable(`${alertmanagerDir}/bin/alertmanager`, 'scripts/install-alertmanager.sh --tests'),
    amtool: executable(`${alertmanagerDir}/bin/amtool`, 'scripts/install-alertmanager.sh --tests'),
    prometheus: prometheus3(env)
  }
}

function executable (file: string, installer: string): string {
  try {
    accessSync(file, constants.X_OK)
    return file
  } catch {
    throw new Error(`${file} is missing: run ${installer} (make test-monitoring does)`)
  }
}
