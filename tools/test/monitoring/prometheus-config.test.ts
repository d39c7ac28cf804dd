import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { PATHS } from '../../src/support/paths.ts'
import { deriveLocalConfig, readRuleNames } from '../../src/monitoring/prometheus-config.ts'
import { tempDir } from './helpers.ts'

const targets = { serviceTarget: '127.0.0.1:9000', prometheusTarget: '127.0.0.1:9090' }

t.test('the derived local config differs from the stack\'s only in target addresses and rule paths', async (t) => {
  const source = parse(readFileSync(PATHS.prometheusConfig, 'utf8'))
  const derived = parse(deriveLocalConfig(PATHS.prometheusConfig, targets))
  t.same(derived.scrape_configs.find((job: { job_name: string }) => job.job_name === 'service-a').static_configs, [{ targets: ['127.0.0.1:9000'] }])
  t.same(derived.scrape_configs.find((job: { job_name: string }) => job.job_name === 'prometheus').static_configs, [{ targets: ['127.0.0.1:9090'] }])
  t.same(derived.rule_files, [join(PATHS.prometheusRules, '*.yml')])
  for (const job of source.scrape_configs) delete job.static_configs
  for (const job of derived.scrape_configs) delete job.static_configs
  delete source.rule_files
  delete derived.rule_files
  t.same(derived, source)
})

t.test('the stack\'s config keeps the contract: 15s intervals and service-a:80', async (t) => {
  const source = parse(readFileSync(PATHS.prometheusConfig, 'utf8'))
  t.same(source.global, { scrape_interval: '15s', evaluation_interval: '15s' })
  t.same(source.scrape_configs[0].static_configs, [{ targets: ['service-a:80'] }])
  t.same(source.rule_files, ['rules/*.yml'])
})

t.test('a test interval overrides both the scrape and the evaluation interval', async (t) => {
  const derived = parse(deriveLocalConfig(PATHS.prometheusConfig, { ...targets, interval: '1s' }))
  t.same(derived.global, { scrape_interval: '1s', evaluation_interval: '1s' })
})

t.test('absolute rule paths are kept, and a config without rule_files stays without', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'prometheus.yml')
  const jobs = 'scrape_configs:\n  - job_name: service-a\n    static_configs: [{ targets: [a:1] }]\n  - job_name: prometheus\n    static_configs: [{ targets: [b:2] }]\n'
  writeFileSync(file, `rule_files: [/etc/rules/*.yml]\n${jobs}`)
  t.same(parse(deriveLocalConfig(file, targets)).rule_files, ['/etc/rules/*.yml'])
  writeFileSync(file, jobs)
  t.equal(parse(deriveLocalConfig(file, targets)).rule_files, undefined)
})

t.test('a config that lost the service-a job is refused with its name', async (t) => {
  const file = join(tempDir(t), 'prometheus.yml')
  writeFileSync(file, 'scrape_configs:\n  - job_name: other\n    static_configs: [{ targets: [a:1] }]\n')
  t.throws(() => deriveLocalConfig(file, targets), /no job "service-a"/)
  writeFileSync(file, 'global: {}\n')
  t.throws(() => deriveLocalConfig(file, targets), /no job "service-a"/)
})

t.test('rule names are read from every rule file, recording names once', async (t) => {
  const names = readRuleNames(PATHS.prometheusRules)
  t.ok(names.records.includes('job_route:http_requests:rate5m'))
  t.equal(names.records.filter((name) => name === 'job_route:http_request_duration_seconds:histogram_quantile5m').length, 1)
  t.same(names.alerts.sort(), ['ServiceAEventLoopLagHigh', 'ServiceAHighErrorRatio', 'ServiceAHighLatency', 'ServiceARestarting', 'ServiceATargetAbsent', 'ServiceATargetDown'])
})
