import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

/** An alerting rule as Alertmanager will see it: its name and its fixed labels. */
export interface AlertLabels {
  alertname: string
  file: string
  /** The rule's `labels:` plus `alertname`; labels of the series it matches come on top at run time. */
  labels: Record<string, string>
}

interface RuleFile { groups?: Array<{ rules?: Array<{ alert?: string, labels?: Record<string, unknown> }> }> }

/** Every alerting rule in the *.yml files of a Prometheus rules folder, with its labels. */
export function readAlertLabels (rulesDir: string): AlertLabels[] {
  const alerts: AlertLabels[] = []
  for (const file of readdirSync(rulesDir).filter((name) => name.endsWith('.yml')).sort()) {
    const content = parse(readFileSync(join(rulesDir, file), 'utf8')) as RuleFile | null
    for (const rule of (content?.groups ?? []).flatMap((group) => group.rules ?? [])) {
      if (rule.alert === undefined) continue
      const labels = Object.fromEntries(Object.entries(rule.labels ?? {}).map(([key, value]) => [key, String(value)]))
      alerts.push({ alertname: rule.alert, file, labels: { ...labels, alertname: rule.alert } })
    }
  }
  return alerts
}
