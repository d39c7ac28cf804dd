import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { parse } from 'yaml'
import { deriveLocalConfig, readRuleNames } from '../../src/monitoring/prometheus-config.ts'
import { prometheus3, PROMETHEUS_MISSING, PrometheusApi, startPrometheus } from '../../src/monitoring/prometheus-server.ts'
import { fetchJson, waitFor } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { tempDir } from './helpers.ts'

// The stack's config as the cluster's Prometheus 3.x reads it, and as make run derives it for 2.42.

const targets = { serviceTarget: '127.0.0.1:9000', prometheusTarget: '127.0.0.1:9090' }
const read = (file: string): any => parse(readFileSync(join(REPO_ROOT, file), 'utf8'))

t.test('Prometheus 3.x loads the raw files in place: 15 s intervals, both jobs (service-a:80 from its own file), every rule, alerts to alertmanager:9093', async (t) => {
  const dir = tempDir(t)
  const prometheus = await startPrometheus({ binary: prometheus3(), configFile: PATHS.prometheusConfig, dataDir: dir, port: await freePort(), logFile: join(dir, 'log') })
  t.teardown(() => prometheus.child.stop())
  const api = new PrometheusApi(prometheus.url)
  t.match(await api.version(), /^3\./)
  const { data } = await fetchJson<{ data: { yaml: string } }>(`${prometheus.url}/api/v1/status/config`)
  t.match(parse(data.yaml).global, { scrape_interval: '15s', evaluation_interval: '15s' })
  // Discovery and the first rule evaluation come a few seconds after /-/ready.
  const loaded = async <T> (what: string, get: () => Promise<T[]>): Promise<T[]> => await waitFor(what, async () => { const all = await get(); return all.length > 0 ? all : undefined }, 60_000)
  const jobs = await loaded('the targets', async () => await api.targets())
  t.same(jobs.map((target) => `${target.labels.job} ${target.scrapeUrl}`).sort(), ['prometheus http://localhost:9090/metrics', 'service-a http://service-a:80/metrics'])
  // Rule names as the tests read them from every rule file: all loaded, recording names once.
  const names = readRuleNames()
  // Sloth names an SLO's page and ticket alike: two rules, one name.
  t.same([...new Set((await loaded('the rules', async () => await api.rules())).map((rule) => rule.name))].sort(), [...new Set([...names.records, ...names.alerts])].sort())
  t.same(names.alerts.sort(), ['ServiceAAvailabilityBudgetBurn', 'ServiceAAvailabilityBudgetBurn', 'ServiceAEventLoopLagHigh', 'ServiceALatencyBudgetBurn', 'ServiceALatencyBudgetBurn',
    'ServiceARestarting', 'ServiceATargetAbsent', 'ServiceATargetDown', 'Watchdog'])
  t.same(await loaded('the Alertmanagers', async () => await api.alertmanagers()), ['http://alertmanager:9093/api/v2/alerts'])
})

t.test('the derived config inlines the scrape config files and changes only targets, rule paths, and the alerting target or block; it refuses a lost job or alerts that go elsewhere', async (t) => {
  const derived = parse(deriveLocalConfig(PATHS.prometheusConfig, targets))
  const source = read('prometheus/prometheus.yml')
  const [serviceA] = read('prometheus/scrape-configs/service-a.yml').scrape_configs
  serviceA.static_configs[0].targets = ['127.0.0.1:9000']
  source.scrape_configs[0].static_configs[0].targets = ['127.0.0.1:9090']
  // Everything else (global, storage, whatever comes next) as it stands.
  const { scrape_config_files: inlined, alerting: gone, ...kept } = source
  t.ok(inlined && gone, 'the source has both')
  t.same(derived, { ...kept, rule_files: [join(PATHS.prometheusRules, '*.yml')], scrape_configs: [...source.scrape_configs, serviceA] }, 'without an Alertmanager the alerting block goes')
  t.same(parse(deriveLocalConfig(PATHS.prometheusConfig, { ...targets, interval: '1s' })).global, { scrape_interval: '1s', evaluation_interval: '1s' })
  const withAlertmanager = parse(deriveLocalConfig(PATHS.prometheusConfig, { ...targets, alertmanagerTarget: '127.0.0.1:9093' }))
  t.same(withAlertmanager, { ...derived, alerting: { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:9093'] }] }] } })
  // Edge cases: absolute rule paths and no rule_files kept; a lost job or alerts that go elsewhere refused.
  const jobs = 'scrape_configs:\n  - job_name: service-a\n    static_configs: [{ targets: [a:1] }]\n  - job_name: prometheus\n    static_configs: [{ targets: [b:2] }]\n'
  const cases: Array<[string, string, RegExp | ((derived: any) => void)]> = [
    ['absolute rule paths', `rule_files: [/etc/rules/*.yml]\n${jobs}`, (derived) => t.same(derived.rule_files, ['/etc/rules/*.yml'])],
    ['no rule_files', jobs, (derived) => t.equal(derived.rule_files, undefined)],
    ['no service-a job', 'scrape_config_files: [none/*.yml]\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{ targets: [b:2] }]\n', /no job "service-a"/],
    ['an empty file', '', /no job "service-a"/]
  ]
  const file = join(tempDir(t), 'prometheus.yml')
  for (const [name, text, expected] of cases) {
    writeFileSync(file, text)
    if (expected instanceof RegExp) t.throws(() => deriveLocalConfig(file, targets), expected, name)
    else expected(parse(deriveLocalConfig(file, targets)))
  }
  writeFileSync(file, `alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9094'] }] }] }\n${jobs}`)
  t.throws(() => deriveLocalConfig(file, { ...targets, alertmanagerTarget: '127.0.0.1:9093' }), /sends no alerts to alertmanager:9093/)
})

t.test("the per-pod component's service-a job passes promtool 3.x in place of the stack's; a misspelled field fails", async (t) => {
  const dir = tempDir(t)
  cpSync(join(REPO_ROOT, 'prometheus'), dir, { recursive: true })
  cpSync(join(REPO_ROOT, 'k8s/components/per-pod-scraping/service-a.yml'), join(dir, 'scrape-configs/service-a.yml'))
  const promtool = join(prometheus3(), '../promtool')
  t.match((await execa(promtool, ['check', 'config', join(dir, 'prometheus.yml')])).stdout, /SUCCESS: .*prometheus\.yml is valid/)
  t.match(read('k8s/components/per-pod-scraping/service-a.yml').scrape_configs, [{ job_name: 'service-a', kubernetes_sd_configs: [{ role: 'pod' }] }])
  writeFileSync(join(dir, 'scrape-configs/service-a.yml'), 'scrape_configs: [{ job_name: service-a, kubernetes_sd_config: [] }]\n')
  await t.rejects(execa(promtool, ['check', 'config', join(dir, 'prometheus.yml')]), /kubernetes_sd_config not found/)
})

t.test('a missing Prometheus says how to install it', async (t) => {
  const dir = tempDir(t)
  const path = process.env.PATH
  process.env.PATH = dir
  t.teardown(() => { process.env.PATH = path })
  await t.rejects(startPrometheus({ configFile: join(dir, 'p.yml'), dataDir: dir, port: 1, logFile: join(dir, 'p.log') }), { message: PROMETHEUS_MISSING })
  t.throws(() => prometheus3({ PROMETHEUS3_DIR: dir }), /bin\/prometheus is missing: run hack\/offline-workarounds\/install-prometheus3\.sh/)
})
