import { readRules } from '../monitoring/prometheus-config.ts'

/** An alerting rule as Alertmanager will see it: its name and its fixed labels. */
export interface AlertLabels {
  alertname: string
  file: string
  /** The rule's `labels:` plus `alertname`; labels of the series it matches come on top at run time. */
  labels: Record<string, string>
}

/** Every alerting rule in the *.yml files of a Prometheus rules folder, with its labels. */
export function readAlertLabels (rulesDir: string): AlertLabels[] {
  return readRules(rulesDir).flatMap(({ alert, file, labels = {} }) => alert === undefined
    ? []
    : [{ alertname: alert, file, labels: { ...Object.fromEntries(Object.entries(labels).map(([key, value]) => [key, String(value)])), alertname: alert } }])
}
