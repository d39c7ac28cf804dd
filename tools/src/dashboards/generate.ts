import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { PATHS } from '../support/paths.ts'
import { serviceADashboard } from './service-a.ts'

/**
 * The dashboards the TypeScript sources generate, and the checked-in files they go to: Grafana's
 * file provider and kustomize's configMapGenerator read those files, so they stay in git.
 * `make dashboards` writes them; a test fails while a file differs from its source.
 */
export function generatedDashboards (): Array<{ file: string, json: string }> {
  return [{ file: PATHS.dashboard, json: JSON.stringify(serviceADashboard(), null, 2) + '\n' }]
}

/** The files (missing, hand-edited or left behind by a source change) that differ from what their source generates. */
export function staleDashboards (generated = generatedDashboards()): string[] {
  return generated.filter(({ file, json }) => !existsSync(file) || readFileSync(file, 'utf8') !== json).map(({ file }) => file)
}

if (import.meta.main) {
  for (const { file, json } of generatedDashboards()) {
    writeFileSync(file, json)
    console.log(`dashboards: wrote ${file}`)
  }
}
