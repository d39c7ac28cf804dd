import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { readAlertLabels } from '../../src/alerting/alert-rules.ts'
import { ALERTMANAGER_CONFIG, uncommentExamples } from '../../src/alerting/alertmanager-config.ts'
import { checkConfig, routeReceivers } from '../../src/alerting/amtool.ts'
import { alertingBinaries } from '../../src/alerting/binaries.ts'
import { findExecutable } from '../../src/support/processes.ts'
import { PATHS } from '../../src/support/paths.ts'
import { tempDir } from './helpers.ts'

// alertmanager/alertmanager.yml with the real amtool: Debian sid's (the line nearest the
// cluster's image) and the machine's, which `make run` uses.

const { amtool } = alertingBinaries()
const alerts = readAlertLabels(PATHS.prometheusRules)

/** The stack's config with a change, written where amtool can read it. */
function variant (t: Test, change: (text: string) => string): string {
  const file = join(tempDir(t), 'alertmanager.yml')
  writeFileSync(file, change(readFileSync(ALERTMANAGER_CONFIG, 'utf8')))
  return file
}

t.test('amtool check-config accepts the stack\'s alertmanager.yml', async (t) => {
  const result = await checkConfig(amtool, ALERTMANAGER_CONFIG)
  t.equal(result.exitCode, 0, result.output)
  t.match(result.output, /SUCCESS[\s\S]*1 inhibit rules[\s\S]*1 receivers/)
})

t.test('the Alertmanager of make run (the machine\'s package) accepts it too', async (t) => {
  const system = findExecutable('amtool')
  if (system === undefined) throw new Error('no amtool on PATH: run scripts/install-alertmanager.sh (make test-monitoring does)')
  const result = await checkConfig(system, ALERTMANAGER_CONFIG)
  t.equal(result.exitCode, 0, result.output)
})

t.test('the commented receiver and route examples are valid once uncommented', async (t) => {
  const file = variant(t, uncommentExamples)
  const result = await checkConfig(amtool, file)
  t.equal(result.exitCode, 0, result.output)
  t.match(result.output, /4 receivers/, 'the webhook, Slack and email examples are all switched on')
  const text = readFileSync(file, 'utf8')
  for (const field of ['url_file', 'api_url_file', 'auth_password_file']) {
    t.match(text, new RegExp(`^ +(- )?${field}: /etc/alertmanager/secrets/`, 'm'), `${field} reads a file of the mounted Secret`)
  }
})

t.test('a route to an undefined receiver is rejected', async (t) => {
  const result = await checkConfig(amtool, variant(t, (text) => text.replace('receiver: replace-me', 'receiver: nobody')))
  t.not(result.exitCode, 0)
  t.match(result.output, /undefined receiver "nobody"/)
})

t.test('every alert of prometheus/rules/ has a severity the routes and the inhibit rule know', async (t) => {
  t.ok(alerts.length >= 6, `${alerts.length} alerts read`)
  for (const alert of alerts) t.match(alert.labels.severity, /^(critical|warning)$/, `${alert.alertname} (${alert.file})`)
  t.same(new Set(alerts.map((alert) => alert.labels.severity)), new Set(['critical', 'warning']), 'both severities occur')
})

t.test('amtool routes every alert of prometheus/rules/ to the default receiver as shipped', async (t) => {
  for (const alert of alerts) {
    t.equal(await routeReceivers(amtool, ALERTMANAGER_CONFIG, alert.labels), 'replace-me', alert.alertname)
  }
})

t.test('with the example routes, critical alerts reach the pager and warnings the chat', async (t) => {
  const file = variant(t, uncommentExamples)
  const expected: Record<string, string> = { critical: 'team-pager', warning: 'team-chat' }
  for (const alert of alerts) {
    t.equal(await routeReceivers(amtool, file, alert.labels), expected[alert.labels.severity!], `${alert.alertname} (${alert.labels.severity})`)
  }
  const unknown = await routeReceivers(amtool, file, { alertname: 'Other', severity: 'info' })
  t.equal(unknown, 'replace-me', 'an alert no route matches falls back to the default receiver')
})
