import type { Document, Scalar, YAMLMap, YAMLSeq } from 'yaml'

/** Where the stack's Prometheus sends alerts: the alertmanager Service (alertmanager/k8s/). */
export const ALERTMANAGER_SERVICE_TARGET = 'alertmanager:9093'

/**
 * Points the `alerting:` block of a parsed prometheus.yml at `target` instead of the stack's
 * Service, as the local run and the tests need. Throws when the block does not send to the
 * stack's Alertmanager: then prometheus.yml is wrong and alerts would go nowhere.
 */
export function setAlertmanagerTarget (doc: Document, target: string): void {
  let found = false
  const groups = (doc.getIn(['alerting', 'alertmanagers']) as YAMLSeq<YAMLMap> | undefined)?.items ?? []
  for (const group of groups) {
    for (const config of (group.get('static_configs') as YAMLSeq<YAMLMap> | undefined)?.items ?? []) {
      const targets = config.get('targets') as YAMLSeq<Scalar> | undefined
      targets?.items.forEach((item, index) => {
        if (item.value !== ALERTMANAGER_SERVICE_TARGET) return
        const node = doc.createNode(target)
        node.type = 'QUOTE_SINGLE'
        targets.items[index] = node
        found = true
      })
    }
  }
  if (!found) throw new Error(`prometheus.yml sends no alerts to ${ALERTMANAGER_SERVICE_TARGET}: no static_configs target of alerting.alertmanagers is ${ALERTMANAGER_SERVICE_TARGET}`)
}
