import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { parse, stringify } from 'yaml'
import { ALERTMANAGER_CONFIG, deriveTestConfig } from '../../src/alerting/alertmanager-config.ts'
import { startAlertmanager, type Alertmanager } from '../../src/alerting/alertmanager-server.ts'
import { alertingBinaries } from '../../src/alerting/binaries.ts'
import { setAlertmanagerTarget, type AlertingConfig } from '../../src/alerting/prometheus-alerting.ts'
import { fetchJson, request, waitFor } from '../../src/support/http.ts'
import { PATHS } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { startReady } from '../../src/support/processes.ts'
import { fakeServer, tempDir } from './helpers.ts'

// The stack's alertmanager.yml in the real Alertmanager (Debian sid's), fed by the real
// Prometheus 3.x with the stack's `alerting:` block: what reaches a webhook on loopback. Only
// the default receiver (given the webhook) and the group timers (seconds) differ from the shipped file.

const binaries = alertingBinaries()

/** Alertmanager's webhook payload (version 4), the fields the tests read. */
interface Notification {
  receiver: string
  status: string
  groupLabels: Record<string, string>
  alerts: Array<{ status: string, labels: Record<string, string>, annotations: Record<string, string> }>
}

/** A webhook receiver on loopback that keeps every notification it is sent. */
async function webhook (t: Test): Promise<{ url: string, received: Notification[] }> {
  const received: Notification[] = []
  const url = await fakeServer(t, {
    '/notify': (request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => { body += chunk.toString() })
      request.on('end', () => {
        received.push(JSON.parse(body) as Notification)
        response.writeHead(200).end()
      })
    }
  })
  return { url: `${url}/notify`, received }
}

/**
 * The stack's Alertmanager config, with the default receiver posting to `webhookUrl`. A group's
 * first notification waits 3s (the stack: 30s): the alerts of one evaluation can reach
 * Alertmanager a resend (1s) apart, and a warning is inhibited only once its critical is there.
 */
async function alertmanager (t: Test, webhookUrl: string): Promise<Alertmanager> {
  const dir = tempDir(t)
  const configFile = join(dir, 'alertmanager.yml')
  writeFileSync(configFile, deriveTestConfig(ALERTMANAGER_CONFIG, { webhookUrl, groupWait: '3s', groupInterval: '1s' }))
  const started = await startAlertmanager({ binary: binaries.alertmanager, configFile, dataDir: join(dir, 'data'), port: await freePort(), logFile: join(dir, 'alertmanager.log') })
  t.teardown(() => started.child.stop())
  return started
}

interface AlertmanagerAlert { labels: Record<string, string>, status: { state: string, inhibitedBy: string[] } }

/** The alerts Alertmanager holds, with their state (active, suppressed) as its API reports it. */
async function heldAlerts (url: string): Promise<AlertmanagerAlert[]> {
  return await fetchJson<AlertmanagerAlert[]>(`${url}/api/v2/alerts`)
}

/** The notifications for one alert name and severity. */
function notificationsOf (received: Notification[], alertname: string, severity: string): Notification[] {
  return received.filter((n) => n.groupLabels.alertname === alertname && n.groupLabels.severity === severity)
}

t.test('Alertmanager groups by alertname and severity and inhibits a warning of a critical alert on the same target', async (t) => {
  const hook = await webhook(t)
  const am = await alertmanager(t, hook.url)
  const alert = (severity: string, instance: string): object => ({ labels: { alertname: 'ServiceATargetDown', job: 'service-a', instance, severity } })
  const posted = await request(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([alert('critical', 'a:80'), alert('warning', 'a:80'), alert('warning', 'b:80')])
  })
  t.equal(posted.status, 200)

  const alerts = await waitFor('three alerts in Alertmanager', async () => {
    const held = await heldAlerts(am.url)
    return held.length === 3 ? held : undefined
  }, 10_000)
  const state = (severity: string, instance: string): AlertmanagerAlert['status'] | undefined =>
    alerts.find((a) => a.labels.severity === severity && a.labels.instance === instance)?.status
  t.equal(state('critical', 'a:80')?.state, 'active')
  t.equal(state('warning', 'a:80')?.state, 'suppressed', 'the warning of the same alert on the same target is inhibited')
  t.equal(state('warning', 'a:80')?.inhibitedBy.length, 1)
  t.equal(state('warning', 'b:80')?.state, 'active', 'a warning on another target is not')

  await waitFor('two notifications', async () => hook.received.length >= 2 ? true : undefined, 15_000)
  const critical = notificationsOf(hook.received, 'ServiceATargetDown', 'critical')[0]
  const warning = notificationsOf(hook.received, 'ServiceATargetDown', 'warning')[0]
  t.same(critical?.alerts.map((a) => a.labels.instance), ['a:80'])
  t.same(warning?.alerts.map((a) => a.labels.instance), ['b:80'], 'the warnings\' group carries only the one not inhibited')
  t.equal(critical?.receiver, 'replace-me')
})

t.test('an alert that fires in the real Prometheus reaches the webhook through the real Alertmanager', async (t) => {
  const hook = await webhook(t)
  const am = await alertmanager(t, hook.url)
  const dir = tempDir(t)

  // A test-only rule group: the same alert as critical and as warning (the warning must be
  // inhibited), and a warning of another name (it must arrive).
  const rulesFile = join(dir, 'delivery-test.rules.yml')
  writeFileSync(rulesFile, stringify({
    groups: [{
      name: 'alert-delivery-test',
      rules: [
        { alert: 'AlertDeliveryTest', expr: 'vector(1)', labels: { severity: 'critical' }, annotations: { summary: 'fires at once' } },
        { alert: 'AlertDeliveryTest', expr: 'vector(1)', labels: { severity: 'warning' }, annotations: { summary: 'inhibited' } },
        { alert: 'AlertDeliveryWarningOnly', expr: 'vector(1)', labels: { severity: 'warning' }, annotations: { summary: 'a warning alone' } }
      ]
    }]
  }))
  // The stack's `alerting:` block, pointed at the Alertmanager on loopback; the test rules only.
  const stack = parse(readFileSync(PATHS.prometheusConfig, 'utf8')) as AlertingConfig
  setAlertmanagerTarget(stack, am.url.replace('http://', ''))
  const configFile = join(dir, 'prometheus.yml')
  writeFileSync(configFile, stringify({ global: { evaluation_interval: '1s' }, rule_files: [rulesFile], alerting: stack.alerting }))

  const port = await freePort()
  const prometheusUrl = `http://127.0.0.1:${port}`
  const prometheus = await startReady(binaries.prometheus, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // The first alert is dropped while the notifier has not yet discovered Alertmanager, and
    // resent only after this delay (1 m by default).
    '--rules.alert.resend-delay=1s'
  ], `${prometheusUrl}/-/ready`, { name: 'prometheus', output: { file: join(dir, 'prometheus.log') } })
  t.teardown(() => prometheus.stop())

  const discovered = await waitFor('Prometheus to discover Alertmanager', async () => {
    const answer = await fetchJson<{ data: { activeAlertmanagers: Array<{ url: string }> } }>(`${prometheusUrl}/api/v1/alertmanagers`)
    return answer.data.activeAlertmanagers.length > 0 ? answer.data.activeAlertmanagers : undefined
  }, 10_000)
  t.same(discovered.map((a) => a.url), [`${am.url}/api/v2/alerts`], 'Prometheus sends to the Alertmanager the alerting block names')

  await waitFor('notifications of both groups that are not inhibited', async () =>
    notificationsOf(hook.received, 'AlertDeliveryTest', 'critical').length > 0 &&
    notificationsOf(hook.received, 'AlertDeliveryWarningOnly', 'warning').length > 0
      ? true
      : undefined, 30_000)
  const [critical] = notificationsOf(hook.received, 'AlertDeliveryTest', 'critical')
  t.equal(critical?.receiver, 'replace-me')
  t.equal(critical?.status, 'firing')
  t.same(critical?.groupLabels, { alertname: 'AlertDeliveryTest', severity: 'critical' })
  t.same(critical?.alerts.map((a) => a.labels), [{ alertname: 'AlertDeliveryTest', severity: 'critical' }], 'the rule\'s labels, nothing lost or added')
  t.same(critical?.alerts.map((a) => a.annotations.summary), ['fires at once'])
  const [warning] = notificationsOf(hook.received, 'AlertDeliveryWarningOnly', 'warning')
  t.same(warning?.alerts.map((a) => a.labels), [{ alertname: 'AlertDeliveryWarningOnly', severity: 'warning' }])

  // Prometheus resends every second and Alertmanager flushes every second: a few seconds more
  // give the inhibited warning every chance to be sent, were it not inhibited.
  await sleep(4_000)
  const inhibited = (await heldAlerts(am.url)).find((a) => a.labels.alertname === 'AlertDeliveryTest' && a.labels.severity === 'warning')
  t.equal(inhibited?.status.state, 'suppressed', 'the warning reached Alertmanager and is inhibited by the critical one')
  t.same(notificationsOf(hook.received, 'AlertDeliveryTest', 'warning'), [], 'and no notification was sent for it')
})
