import t from 'tap'
import { startFromDeployment } from '../../src/manifests/prometheus-run.ts'
import { fetchJson, waitFor } from '../../src/support/http.ts'
import { add, edit, patched, rendered, replace } from './fixtures.ts'

const C = '/spec/template/spec/containers/0'

t.test("Prometheus 3 starts with the Deployment's exact args and ConfigMaps, loads the rules and the service-a job", async (t) => {
  const { url, child } = await startFromDeployment(await rendered('k8s'), 'prometheus', t.testdir())
  t.teardown(child.stop)
  const { data: build } = await fetchJson<{ data: { version: string } }>(`${url}/api/v1/status/buildinfo`)
  t.comment(`Prometheus ${build.version}`)
  t.match(build.version, /^3\./)
  const { data: flags } = await fetchJson<{ data: Record<string, string> }>(`${url}/api/v1/status/flags`)
  t.equal(flags['storage.tsdb.retention.time'], '15d')
  // Prometheus reads size units as powers of 1024.
  t.equal(flags['storage.tsdb.retention.size'], '6GiB')
  const { data: rules } = await fetchJson<{ data: { groups: unknown[] } }>(`${url}/api/v1/rules`)
  t.ok(rules.groups.length >= 2, 'the rule groups are loaded')
  // The scrape manager takes the discovered targets a moment after readiness.
  const jobs = await waitFor('both scrape jobs', async () => {
    const { data } = await fetchJson<{ data: { activeTargets: Array<{ labels: { job: string } }> } }>(`${url}/api/v1/targets`)
    return data.activeTargets.length >= 2 ? new Set(data.activeTargets.map((target) => target.labels.job)) : undefined
  }, 10_000)
  t.same(jobs, new Set(['prometheus', 'service-a']), 'scrape_config_files brought the service-a job')
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
})

t.test('an unknown flag or a broken config fails the start, with Prometheus saying why', async (t) => {
  const flag = await patched('k8s', { 'Deployment/prometheus': [add(`${C}/args/-`, '--storage.tsdb.retention.sizes=1GB')] })
  await t.rejects(startFromDeployment(flag, 'prometheus', t.testdir()), /exited \(\d+\)[\s\S]*retention\.sizes/)
  for (const [configMap, file] of [['prometheus-config', 'prometheus.yml'], ['prometheus-scrape-configs', 'service-a.yml']] as const) {
    const config = await patched('k8s', { [`ConfigMap/${configMap}`]: [edit(`/data/${file}`, '\nscrape_configs:', '\nscrape_configz:')] })
    await t.rejects(startFromDeployment(config, 'prometheus', t.testdir()), /exited \(\d+\)[\s\S]*scrape_configz/, file)
  }
})

t.test('a path on no volume, a missing ConfigMap or no such Deployment is refused before starting', async (t) => {
  const noVolume = await patched('k8s', { 'Deployment/prometheus': [replace(`${C}/args/1`, '--storage.tsdb.path=/data')] })
  await t.rejects(startFromDeployment(noVolume, 'prometheus', t.testdir()), /--storage\.tsdb\.path=\/data: \/data is on no volume/)
  const noConfigMap = (await rendered('k8s')).filter((o) => !/^prometheus-rules-/.test(o.metadata?.name ?? ''))
  await t.rejects(startFromDeployment(noConfigMap, 'prometheus', t.testdir()), /ConfigMap prometheus-rules-\w+ does not exist/)
  await t.rejects(startFromDeployment(await rendered('k8s'), 'grafana', t.testdir()), /no Deployment grafana with a --config.file argument/)
})
