import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { json } from 'node:stream/consumers'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import t from 'tap'
import { parse, stringify } from 'yaml'
import { ALERTMANAGER_CONFIG, alertingBinaries, deriveTestConfig, startAlertmanager, uncommentExamples } from '../../src/alerting/alertmanager.ts'
import { deriveLocalConfig, readRules } from '../../src/monitoring/prometheus-config.ts'
import { PrometheusApi, startPrometheus } from '../../src/monitoring/prometheus-server.ts'
import { fetchJson, waitFor } from '../../src/support/http.ts'
import { PATHS } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { findExecutable } from '../../src/support/processes.ts'
import { fakeServer, tempDir, type Handler } from './helpers.ts'

// alertmanager/alertmanager.yml in the real amtool (Debian sid's, nearest the cluster's image, and
// make run's) and in the real Alertmanager, fed by the real Prometheus 3.x: what reaches a webhook.

const binaries = alertingBinaries()
const alerts = readRules().flatMap(({ alert, labels }) => alert === undefined ? [] : [{ alertname: alert, labels: { ...labels, alertname: alert } as Record<string, string> }])
const shipped = readFileSync(ALERTMANAGER_CONFIG, 'utf8')
const amtoolRun = async (binary: string, args: string[]) => await execa(binary, args, { reject: false, all: true, timeout: 30_000 })

t.test('amtool check-config accepts the stack\'s config (also make run\'s older amtool) and its examples switched on, and rejects a broken one', async (t) => {
  const system = findExecutable('amtool')
  if (system === undefined) throw new Error('no amtool on PATH: run scripts/install-alertmanager.sh (make test-monitoring does)')
  const cases: Array<[string, string, string, number, RegExp]> = [
    ['as shipped', binaries.amtool, shipped, 0, /SUCCESS[\s\S]*1 inhibit rules[\s\S]*2 receivers/],
    ['as shipped, by make run\'s amtool', system, shipped, 0, /SUCCESS/],
    ['the heartbeat, webhook, Slack and email examples switched on', binaries.amtool, uncommentExamples(shipped), 0, /SUCCESS[\s\S]*5 receivers/],
    ['a route to an undefined receiver', binaries.amtool, shipped.replace('receiver: replace-me', 'receiver: nobody'), 1, /undefined receiver "nobody"/]
  ]
  for (const [name, binary, text, exitCode, output] of cases) {
    const file = join(tempDir(t), 'alertmanager.yml')
    writeFileSync(file, text)
    t.match(await amtoolRun(binary, ['check-config', file]), { exitCode, all: output }, name)
  }
  for (const field of ['url_file', 'api_url_file', 'auth_password_file']) {
    t.match(uncommentExamples(shipped), new RegExp(`^ +(- )?${field}: /etc/alertmanager/secrets/`, 'm'), `${field} reads a file of the mounted Secret`)
  }
})

t.test('amtool config routes test: the Watchdog to the heartbeat receiver alone; every other alert to the default receiver as shipped, and with the example routes critical to the pager and warnings to the chat', async (t) => {
  // Every alert of prometheus/rules/ has a severity the routes and the inhibit rule know; the
  // Watchdog's is none: it neither pages nor tickets.
  t.ok(alerts.length >= 9, `${alerts.length} alerts read`)
  t.same(new Set(alerts.map((alert) => alert.labels.severity)), new Set(['critical', 'warning', 'none']), 'both severities occur, the Watchdog\'s none, and no other')
  t.same(alerts.filter((alert) => alert.labels.severity === 'none').map((alert) => alert.alertname), ['Watchdog'])
  const examples = join(tempDir(t), 'alertmanager.yml')
  writeFileSync(examples, uncommentExamples(shipped))
  const route = async (file: string, labels: Record<string, string>): Promise<string> => {
    const result = await amtoolRun(binaries.amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...Object.entries(labels).map(([key, value]) => `${key}=${value}`)])
    t.equal(result.exitCode, 0, result.all)
    // stdout only: amtool warns on stderr that the config file overrides --alertmanager.url.
    return result.stdout.trim()
  }
  const paged: Record<string, string> = { critical: 'team-pager', warning: 'team-chat', none: 'heartbeat' }
  for (const alert of alerts) {
    const shippedReceiver = alert.alertname === 'Watchdog' ? 'heartbeat' : 'replace-me'
    t.equal(await route(ALERTMANAGER_CONFIG, alert.labels), shippedReceiver, alert.alertname)
    t.equal(await route(examples, alert.labels), paged[alert.labels.severity!], `${alert.alertname} (${alert.labels.severity}) with the examples`)
  }
  // The heartbeat route matches the name alone: whatever labels a Watchdog carries, it goes there.
  t.equal(await route(examples, { alertname: 'Watchdog', severity: 'critical' }), 'heartbeat', 'a Watchdog labelled critical still goes to the heartbeat only')
  t.equal(await route(examples, { alertname: 'Other', severity: 'info' }), 'replace-me', 'an alert no route matches falls back to the default receiver')
})

/** Alertmanager's webhook payload (version 4), the fields the test reads. */
interface Notification { receiver: string, status: string, groupLabels: Record<string, string>, alerts: Array<{ labels: Record<string, string>, annotations: Record<string, string> }> }

t.test('an alert firing in the real Prometheus reaches the webhook through the real Alertmanager, grouped by alertname and severity, its same-target warning inhibited', async (t) => {
  const dir = tempDir(t)
  const received: Notification[] = []
  const webhook = await fakeServer(t, { '/notify': async (request, response) => { received.push(await json(request) as Notification); response.writeHead(200).end() } })
  // A group's first notification waits 3s (the stack: 30s), so that a warning meets its critical there.
  writeFileSync(join(dir, 'alertmanager.yml'), deriveTestConfig(ALERTMANAGER_CONFIG, { webhookUrl: `${webhook}/notify`, groupWait: '3s', groupInterval: '1s' }))
  const am = await startAlertmanager({ binary: binaries.alertmanager, configFile: join(dir, 'alertmanager.yml'), dataDir: join(dir, 'am'), port: await freePort(), logFile: join(dir, 'alertmanager.log') })
  t.teardown(() => am.child.stop())
  // Test-only rules: one alert as critical and as warning on target a (the warning must be
  // inhibited), and as warning on target b (it must arrive: another target). They fire after 5 s,
  // once Prometheus has found Alertmanager: fired before that, the critical alert could be dropped
  // while the warnings, sent a moment later, got through uninhibited (seen once under load).
  const rule = (severity: string, instance: string): object => ({ alert: 'AlertDeliveryTest', expr: 'vector(1)', for: '5s', labels: { severity, instance }, annotations: { summary: `${severity} on ${instance}` } })
  writeFileSync(join(dir, 'test.rules.yml'), stringify({ groups: [{ name: 'alert-delivery-test', rules: [rule('critical', 'a:80'), rule('warning', 'a:80'), rule('warning', 'b:80')] }] }))
  // The stack's `alerting:` block as make run derives it, pointed at the Alertmanager on loopback; the test rules only.
  const { alerting } = parse(deriveLocalConfig(PATHS.prometheusConfig, { serviceTarget: '-', prometheusTarget: '-', alertmanagerTarget: am.url.replace('http://', '') }))
  writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { evaluation_interval: '1s' }, rule_files: [join(dir, 'test.rules.yml')], alerting }))
  // The first alert is dropped while the notifier has not yet discovered Alertmanager, and
  // resent only after the resend delay (1 m by default).
  const prometheus = await startPrometheus({ binary: binaries.prometheus, configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data'), port: await freePort(), logFile: join(dir, 'prometheus.log'), args: ['--rules.alert.resend-delay=1s'] })
  t.teardown(() => prometheus.child.stop())
  const discovered = await waitFor('Prometheus to discover Alertmanager', async () => { const urls = await new PrometheusApi(prometheus.url).alertmanagers(); return urls.length > 0 ? urls : undefined }, 10_000)
  t.same(discovered, [`${am.url}/api/v2/alerts`], 'Prometheus sends to the Alertmanager the alerting block names')
  const groupOf = (severity: string): Notification | undefined => received.find((n) => n.groupLabels.severity === severity)
  await waitFor('a notification of both groups', async () => groupOf('critical') !== undefined && groupOf('warning') !== undefined ? true : undefined, 30_000)
  const critical = groupOf('critical')
  t.match(critical, { receiver: 'replace-me', status: 'firing' })
  t.same(critical?.groupLabels, { alertname: 'AlertDeliveryTest', severity: 'critical' }, 'grouped by alertname and severity only')
  t.same(critical?.alerts.map((a) => a.labels), [{ alertname: 'AlertDeliveryTest', instance: 'a:80', severity: 'critical' }], 'the rule\'s labels, nothing lost or added')
  t.same(critical?.alerts.map((a) => a.annotations.summary), ['critical on a:80'])
  // Prometheus resends every second and Alertmanager flushes every second: a few seconds more
  // give the inhibited warning every chance to be sent, were it not inhibited.
  await sleep(4_000)
  const warnings = received.filter((n) => n.groupLabels.severity === 'warning').flatMap((n) => n.alerts.map((a) => a.labels.instance))
  t.same([...new Set(warnings)], ['b:80'], 'the warning on another target is sent, the one on the critical\'s target never')
  const held = await fetchJson<Array<{ labels: Record<string, string>, status: { state: string, inhibitedBy: string[] } }>>(`${am.url}/api/v2/alerts`)
  const state = (severity: string, instance: string): object | undefined => held.find((a) => a.labels.severity === severity && a.labels.instance === instance)?.status
  t.match(state('warning', 'a:80'), { state: 'suppressed', inhibitedBy: [String] }, 'it reached Alertmanager and is inhibited by the critical one')
  t.match(state('warning', 'b:80'), { state: 'active' })
  t.match(state('critical', 'a:80'), { state: 'active' })
})

t.test('the Watchdog of the stack\'s rules, evaluated by the real Prometheus, reaches the heartbeat receiver through the real Alertmanager, and only that receiver', async (t) => {
  const dir = tempDir(t)
  const received: Array<{ path: string, notification: Notification }> = []
  const record = (path: string): Handler => async (request, response) => {
    received.push({ path, notification: await json(request) as Notification })
    response.writeHead(200).end()
  }
  const webhook = await fakeServer(t, { '/default': record('/default'), '/heartbeat': record('/heartbeat') })
  writeFileSync(join(dir, 'alertmanager.yml'), deriveTestConfig(ALERTMANAGER_CONFIG, { webhookUrl: `${webhook}/default`, groupWait: '1s', groupInterval: '1s', otherWebhooks: { heartbeat: `${webhook}/heartbeat` } }))
  const am = await startAlertmanager({ binary: binaries.alertmanager, configFile: join(dir, 'alertmanager.yml'), dataDir: join(dir, 'am'), port: await freePort(), logFile: join(dir, 'alertmanager.log') })
  t.teardown(() => am.child.stop())
  // The stack's own alert rules, as they are; with no service-a series, only the Watchdog fires
  // within the test (ServiceATargetAbsent waits 5 minutes).
  const { alerting } = parse(deriveLocalConfig(PATHS.prometheusConfig, { serviceTarget: '-', prometheusTarget: '-', alertmanagerTarget: am.url.replace('http://', '') }))
  writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { evaluation_interval: '1s' }, rule_files: [join(PATHS.prometheusRules, 'service-a-alerts.yml')], alerting }))
  const prometheus = await startPrometheus({ binary: binaries.prometheus, configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data'), port: await freePort(), logFile: join(dir, 'prometheus.log'), args: ['--rules.alert.resend-delay=1s'] })
  t.teardown(() => prometheus.child.stop())
  const first = await waitFor('the Watchdog at the heartbeat webhook', async () => received.find((r) => r.path === '/heartbeat'), 30_000)
  t.match(first.notification, { receiver: 'heartbeat', status: 'firing', groupLabels: { alertname: 'Watchdog', severity: 'none' } })
  t.same(first.notification.alerts.map((a) => a.labels), [{ alertname: 'Watchdog', severity: 'none' }])
  t.match(first.notification.alerts[0]!.annotations, { runbook_url: 'docs/runbooks.md#watchdog' })
  // The default route waits 1 s here: a few seconds give a misrouted copy every chance to arrive.
  await sleep(3_000)
  t.same(received.filter((r) => r.path !== '/heartbeat').map((r) => r.notification.groupLabels), [], 'nothing reaches the default receiver')
})
