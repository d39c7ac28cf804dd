import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { parse } from 'yaml'
import { deriveLocalConfig, readRuleNames } from '../../src/monitoring/prometheus-config.ts'
import { PrometheusApi } from '../../src/monitoring/prometheus-api.ts'
import { PROMETHEUS_MISSING, prometheus3, startPrometheus } from '../../src/monitoring/prometheus-server.ts'
import { waitFor } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { tempDir } from './helpers.ts'

// The stack's config as the cluster's Prometheus 3.x reads it, and as make run derives it for
// the system's 2.42 (local-run.test.ts runs that one against service-a).

const targets = { serviceTarget: '127.0.0.1:9000', prometheusTarget: '127.0.0.1:9090' }
const read = (file: string): any => parse(readFileSync(join(REPO_ROOT, file), 'utf8'))

t.test('the raw files keep the contract: 15 s intervals, alerts to alertmanager:9093, service-a:80 in its own scrape config file', async (t) => {
  t.same(read('prometheus/prometheus.yml'), {
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    rule_files: ['rules/*.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
    scrape_config_files: ['scrape-configs/*.yml'],
    scrape_configs: [{ job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] }]
  })
  t.match(read('prometheus/scrape-configs/service-a.yml').scrape_configs, [{ job_name: 'service-a', static_configs: [{ targets: ['service-a:80'] }] }])
})

t.test('the derived config inlines the scrape config files and changes only targets and rule paths', async (t) => {
  const derived = parse(deriveLocalConfig(PATHS.prometheusConfig, targets))
  const source = read('prometheus/prometheus.yml')
  const [serviceA] = read('prometheus/scrape-configs/service-a.yml').scrape_configs
  serviceA.static_configs[0].targets = ['127.0.0.1:9000']
  source.scrape_configs[0].static_configs[0].targets = ['127.0.0.1:9090']
  t.same(derived, {
    global: source.global,
    rule_files: [join(PATHS.prometheusRules, '*.yml')],
    scrape_configs: [...source.scrape_configs, serviceA]
  })
  t.same(parse(deriveLocalConfig(PATHS.prometheusConfig, { ...targets, interval: '1s' })).global, { scrape_interval: '1s', evaluation_interval: '1s' })
})

t.test('with a local Alertmanager only its target changes; without one the alerting block goes', async (t) => {
  const withAlertmanager = parse(deriveLocalConfig(PATHS.prometheusConfig, { ...targets, alertmanagerTarget: '127.0.0.1:9093' }))
  const withoutAlertmanager = parse(deriveLocalConfig(PATHS.prometheusConfig, targets))
  t.same(withAlertmanager.alerting, { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:9093'] }] }] })
  t.same({ ...withAlertmanager, alerting: undefined }, { ...withoutAlertmanager, alerting: undefined })
  t.notOk('alerting' in withoutAlertmanager)
  const file = join(tempDir(t), 'prometheus.yml')
  const jobs = 'scrape_configs:\n  - job_name: service-a\n    static_configs: [{ targets: [a:1] }]\n  - job_name: prometheus\n    static_configs: [{ targets: [b:2] }]\n'
  writeFileSync(file, `alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9094'] }] }] }\n${jobs}`)
  t.throws(() => deriveLocalConfig(file, { ...targets, alertmanagerTarget: '127.0.0.1:9093' }), /sends no alerts to alertmanager:9093/)
})

t.test('absolute rule paths are kept, no rule_files stays none, and a lost job is refused by name', async (t) => {
  const file = join(tempDir(t), 'prometheus.yml')
  const jobs = 'scrape_configs:\n  - job_name: service-a\n    static_configs: [{ targets: [a:1] }]\n  - job_name: prometheus\n    static_configs: [{ targets: [b:2] }]\n'
  writeFileSync(file, `rule_files: [/etc/rules/*.yml]\n${jobs}`)
  t.same(parse(deriveLocalConfig(file, targets)).rule_files, ['/etc/rules/*.yml'])
  writeFileSync(file, jobs)
  t.equal(parse(deriveLocalConfig(file, targets)).rule_files, undefined)
  writeFileSync(file, 'scrape_config_files: [none/*.yml]\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{ targets: [b:2] }]\n')
  t.throws(() => deriveLocalConfig(file, targets), /no job "service-a"/)
  writeFileSync(file, '')
  t.throws(() => deriveLocalConfig(file, targets), /no job "service-a"/)
})

t.test('rule names are read from every rule file, recording names once', async (t) => {
  const names = readRuleNames()
  t.ok(names.records.includes('job_route:http_requests:rate5m'))
  t.equal(names.records.length, new Set(names.records).size)
  t.same(names.alerts.sort(), ['ServiceAEventLoopLagHigh', 'ServiceAHighErrorRatio', 'ServiceAHighLatency', 'ServiceARestarting', 'ServiceATargetAbsent', 'ServiceATargetDown'])
})

t.test('Prometheus 3.x loads the raw files in place: both jobs, with the service-a one from its file, and every rule', async (t) => {
  const dir = tempDir(t)
  const prometheus = await startPrometheus({ binary: prometheus3(), configFile: PATHS.prometheusConfig, dataDir: dir, port: await freePort(), logFile: join(dir, 'log') })
  t.teardown(() => prometheus.child.stop())
  const api = new PrometheusApi(prometheus.url)
  t.match(await api.version(), /^3\./)
  // Discovery and the first rule evaluation come a few seconds after /-/ready.
  const loaded = async <T> (what: string, get: () => Promise<T[]>): Promise<T[]> => await waitFor(what, async () => { const all = await get(); return all.length > 0 ? all : undefined }, 60_000)
  const jobs = await loaded('the targets', api.targets.bind(api))
  t.same(jobs.map((target) => `${target.labels.job} ${target.scrapeUrl}`).sort(), ['prometheus http://localhost:9090/metrics', 'service-a http://service-a:80/metrics'])
  const names = readRuleNames()
  t.same([...new Set((await loaded('the rules', api.rules.bind(api))).map((rule) => rule.name))].sort(), [...names.records, ...names.alerts].sort())
})

t.test("the per-pod component's service-a job passes promtool 3.x in place of the stack's", async (t) => {
  const dir = tempDir(t)
  cpSync(join(REPO_ROOT, 'prometheus'), dir, { recursive: true })
  cpSync(join(REPO_ROOT, 'k8s/components/per-pod-scraping/service-a.yml'), join(dir, 'scrape-configs/service-a.yml'))
  const promtool = join(prometheus3(), '../promtool')
  const checked = await execa(promtool, ['check', 'config', join(dir, 'prometheus.yml')])
  t.match(checked.stdout, /SUCCESS: .*prometheus\.yml is valid/)
  t.match(read('k8s/components/per-pod-scraping/service-a.yml').scrape_configs, [{ job_name: 'service-a', kubernetes_sd_configs: [{ role: 'pod' }] }])
  writeFileSync(join(dir, 'scrape-configs/service-a.yml'), 'scrape_configs: [{ job_name: service-a, kubernetes_sd_config: [] }]\n')
  await t.rejects(execa(promtool, ['check', 'config', join(dir, 'prometheus.yml')]), /kubernetes_sd_config not found/)
})

t.test('a Prometheus that cannot start is reported with the end of its log; a missing one says how to install it', async (t) => {
  const dir = tempDir(t)
  const configFile = join(dir, 'prometheus.yml')
  writeFileSync(configFile, 'scrape_configs: [{ job_name: x, scrape_interval: nonsense }]\n')
  await t.rejects(startPrometheus({ binary: prometheus3(), configFile, dataDir: join(dir, 'data'), port: await freePort(), logFile: join(dir, 'p.log') }),
    /prometheus exited \(\d\) before .*-\/ready answers; its log .*p\.log ends with:\n[\s\S]*nonsense/)
  const path = process.env.PATH
  process.env.PATH = dir
  t.teardown(() => { process.env.PATH = path })
  await t.rejects(startPrometheus({ configFile, dataDir: dir, port: 1, logFile: join(dir, 'p.log') }), { message: PROMETHEUS_MISSING })
  t.throws(() => prometheus3({ PROMETHEUS3_DIR: dir }), /bin\/prometheus is missing: run scripts\/install-prometheus3\.sh/)
})
