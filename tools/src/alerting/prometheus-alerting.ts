/** Where the stack's Prometheus sends alerts: the alertmanager Service (alertmanager/k8s/). */
export const ALERTMANAGER_SERVICE_TARGET = 'alertmanager:9093'

/** The part of a parsed prometheus.yml that says where alerts go. */
export interface AlertingConfig {
  alerting?: { alertmanagers?: Array<{ static_configs?: Array<{ targets?: string[] }> }> }
}

/**
 * Points the `alerting:` block of a parsed prometheus.yml at `target` instead of the stack's
 * Service, as the local run and the tests need; everything else in the block stays. Throws when
 * the block does not send to the stack's Alertmanager: then alerts would go nowhere.
 */
export function setAlertmanagerTarget (config: AlertingConfig, target: string): void {
  const lists = (config.alerting?.alertmanagers ?? []).flatMap((group) => group.static_configs ?? []).map((c) => c.targets ?? [])
  const found = lists.filter((targets) => targets.includes(ALERTMANAGER_SERVICE_TARGET))
  if (found.length === 0) throw new Error(`prometheus.yml sends no alerts to ${ALERTMANAGER_SERVICE_TARGET}: no static_configs target of alerting.alertmanagers is ${ALERTMANAGER_SERVICE_TARGET}`)
  for (const targets of found) targets.splice(targets.indexOf(ALERTMANAGER_SERVICE_TARGET), 1, target)
}
