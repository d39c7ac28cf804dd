import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { ALERTMANAGER_CONFIG, uncommentExamples } from '../../src/alerting/alertmanager.ts'
import { alertingBinaries } from '../../src/alerting/binaries.ts'
import { readAlertLabels } from '../../src/monitoring/prometheus-config.ts'
import { findExecutable } from '../../src/support/processes.ts'
import { tempDir } from './helpers.ts'

// alertmanager/alertmanager.yml with the real amtool: Debian sid's (the line nearest the
// cluster's image) and the machine's, which `make run` uses.

const { amtool } = alertingBinaries()
const alerts = readAlertLabels()
const shipped = readFileSync(ALERTMANAGER_CONFIG, 'utf8')
const amtoolRun = async (binary: string, args: string[]) => await execa(binary, args, { reject: false, all: true, timeout: 30_000 })

t.test('amtool check-config accepts the stack\'s config (also make run\'s older amtool) and its examples switched on, and rejects a broken one', async (t) => {
  const system = findExecutable('amtool')
  if (system === undefined) throw new Error('no amtool on PATH: run scripts/install-alertmanager.sh (make test-monitoring does)')
  const cases: Array<[string, string, string, number, RegExp]> = [
    ['as shipped', amtool, shipped, 0, /SUCCESS[\s\S]*1 inhibit rules[\s\S]*1 receivers/],
    ['as shipped, by make run\'s amtool', system, shipped, 0, /SUCCESS/],
    ['the webhook, Slack and email examples switched on', amtool, uncommentExamples(shipped), 0, /SUCCESS[\s\S]*4 receivers/],
    ['a route to an undefined receiver', amtool, shipped.replace('receiver: replace-me', 'receiver: nobody'), 1, /undefined receiver "nobody"/]
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

t.test('every alert of prometheus/rules/ has a severity the routes and the inhibit rule know', async (t) => {
  t.ok(alerts.length >= 6, `${alerts.length} alerts read`)
  for (const alert of alerts) t.match(alert.labels.severity, /^(critical|warning)$/, `${alert.alertname} (${alert.file})`)
  t.same(new Set(alerts.map((alert) => alert.labels.severity)), new Set(['critical', 'warning']), 'both severities occur')
})

t.test('amtool config routes test: every alert to the default receiver as shipped; with the example routes, critical to the pager and warnings to the chat', async (t) => {
  const examples = join(tempDir(t), 'alertmanager.yml')
  writeFileSync(examples, uncommentExamples(shipped))
  const route = async (file: string, labels: Record<string, string>): Promise<string> => {
    const result = await amtoolRun(amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...Object.entries(labels).map(([key, value]) => `${key}=${value}`)])
    t.equal(result.exitCode, 0, result.all)
    // stdout only: amtool warns on stderr that the config file overrides --alertmanager.url.
    return result.stdout.trim()
  }
  const paged: Record<string, string> = { critical: 'team-pager', warning: 'team-chat' }
  for (const alert of alerts) {
    t.equal(await route(ALERTMANAGER_CONFIG, alert.labels), 'replace-me', alert.alertname)
    t.equal(await route(examples, alert.labels), paged[alert.labels.severity!], `${alert.alertname} (${alert.labels.severity}) with the examples`)
  }
  t.equal(await route(examples, { alertname: 'Other', severity: 'info' }), 'replace-me', 'an alert no route matches falls back to the default receiver')
})
