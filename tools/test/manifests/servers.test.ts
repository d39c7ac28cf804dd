import { totalmem } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { alertingBinaries } from '../../src/alerting/alertmanager.ts'
import { readRules } from '../../src/monitoring/prometheus-config.ts'
import { checkTargets, startFromDeployment } from '../../src/manifests/prometheus-run.ts'
import { fetchJson, request, waitFor } from '../../src/support/http.ts'
import { add, edit, patched, remove, rendered, replace, type Change } from './fixtures.ts'

// The real Prometheus 3 and Alertmanager (Debian sid's, the nearest to the images') started as
// their Deployments start them, from Skaffold's render: exact args, config from the generated
// ConfigMaps at the mounted paths. The Makefile installs both.
const C = '/spec/template/spec/containers/0'
const { alertmanager } = alertingBinaries()
/** How many rules and which scrape jobs (its scrape pools) a running Prometheus has loaded. */
async function loaded (url: string): Promise<{ rules: number, jobs: string[] }> {
  const { data: { groups } } = await fetchJson<{ data: { groups: Array<{ rules: unknown[] }> } }>(`${url}/api/v1/rules`)
  // The scrape manager takes its config (every pool at once) a moment after readiness.
  const scrapePools = await waitFor('the scrape pools', async () => {
    const { data } = await fetchJson<{ data: { scrapePools: string[] } }>(`${url}/api/v1/scrape_pools`)
    return data.scrapePools.length > 0 ? data.scrapePools : undefined
  }, 10_000)
  return { rules: groups.flatMap((group) => group.rules).length, jobs: scrapePools.sort() }
}
/** The GOMEMLIMIT a running Go program reports (math.MaxInt64 when unset). */
const goMemoryLimit = async (url: string): Promise<number> => Number(/^go_gc_gomemlimit_bytes (\S+)$/m.exec(await (await request(`${url}/metrics`)).text())?.[1])

t.test("Prometheus 3 starts with the Deployment's exact args and ConfigMaps: rules, both jobs, GOMEMLIMIT derived", async (t) => {
  const { url, stop } = await startFromDeployment(await rendered('k8s'), 'prometheus', t.testdir())
  t.teardown(stop)
  const { data: build } = await fetchJson<{ data: { version: string } }>(`${url}/api/v1/status/buildinfo`)
  t.comment(`Prometheus ${build.version}`)
  t.match(build.version, /^3\./)
  const { data: flags } = await fetchJson<{ data: Record<string, string> }>(`${url}/api/v1/status/flags`)
  t.equal(flags['storage.tsdb.retention.time'], '15d')
  // Prometheus reads size units as powers of 1024.
  t.equal(flags['storage.tsdb.retention.size'], '6GiB')
  t.same(await loaded(url), { rules: readRules().length, jobs: ['prometheus', 'service-a'] }, 'every rule of prometheus/rules, and the service-a job through scrape_config_files')
  t.same(await checkTargets(await rendered('k8s'), 'prometheus', url), [], 'every static target and Alertmanager is a Service port or its own')
  // 0.9 of the cgroup's memory limit, or of the machine's memory where no limit is set (here).
  const limit = await goMemoryLimit(url)
  t.ok(limit > 0 && limit <= 0.9 * totalmem() + 1, `GOMEMLIMIT ${limit} is at most 0.9 of ${totalmem()}`)
})

t.test('with --no-auto-gomemlimit the real Prometheus leaves GOMEMLIMIT unset (math.MaxInt64)', async (t) => {
  const { url, stop } = await startFromDeployment(await patched('k8s', { 'Deployment/prometheus': [add(`${C}/args/-`, '--no-auto-gomemlimit')] }), 'prometheus', t.testdir())
  t.teardown(stop)
  t.equal(await goMemoryLimit(url), 2 ** 63 - 1)
})

t.test("Alertmanager starts with the Deployment's exact args and ConfigMap, one instance without gossip", async (t) => {
  const { url, stop } = await startFromDeployment(await rendered('k8s'), 'alertmanager', t.testdir(), alertmanager)
  t.teardown(stop)
  const status = await fetchJson<{ cluster: { status: string }, config: { original: string }, versionInfo: { version: string } }>(`${url}/api/v2/status`)
  t.comment(`Alertmanager ${status.versionInfo.version}`)
  t.equal(status.cluster.status, 'disabled', '--cluster.listen-address= turns the gossip port off')
  t.match(status.config.original, /receiver: replace-me/, "the stack's alertmanager.yml is loaded")
})

t.test('an unknown flag or a broken config fails the start, with Prometheus or Alertmanager saying why', async (t) => {
  const start = async (changes: Parameters<typeof patched>[1], name: string, binary?: string): Promise<unknown> => await startFromDeployment(await patched('k8s', changes), name, t.testdir(), binary)
  await t.rejects(start({ 'Deployment/prometheus': [add(`${C}/args/-`, '--storage.tsdb.retention.sizes=1GB')] }, 'prometheus'), /exited \(\d+\)[\s\S]*retention\.sizes/)
  await t.rejects(start({ 'Deployment/prometheus': [replace(`${C}/args/0`, '--config.file=/etc/prometheus/rules/prometheus.yml')] }, 'prometheus'), /exited \(\d+\)[\s\S]*rules\/prometheus\.yml: no such file/)
  for (const [configMap, file] of [['prometheus-config', 'prometheus.yml'], ['prometheus-scrape-configs', 'service-a.yml']] as const) {
    await t.rejects(start({ [`ConfigMap/${configMap}`]: [edit(`/data/${file}`, '\nscrape_configs:', '\nscrape_configz:')] }, 'prometheus'), /exited \(\d+\)[\s\S]*scrape_configz/, file)
  }
  await t.rejects(start({ 'Deployment/alertmanager': [add(`${C}/args/-`, '--storage.paths=/alertmanager')] }, 'alertmanager', alertmanager), /exited \(\d+\)[\s\S]*storage\.paths/)
  await t.rejects(start({ 'ConfigMap/alertmanager-config': [edit('/data/alertmanager.yml', 'receiver: replace-me', 'receiver: nobody')] }, 'alertmanager', alertmanager),
    /exited \(\d+\)[\s\S]*undefined receiver \\"nobody\\"/)
})

t.test('Prometheus ignores rule_files and scrape_config_files patterns that match no mounted file: it loads no rule and no service-a job', async (t) => {
  const { url, stop } = await startFromDeployment(await patched('k8s', {
    'ConfigMap/prometheus-config': [edit('/data/prometheus.yml', '- scrape-configs/*.yml', '- scrape-config/*.yml'), edit('/data/prometheus.yml', '- rules/*.yml', '- rules/*.yaml')]
  }), 'prometheus', t.testdir())
  t.teardown(stop)
  t.same(await loaded(url), { rules: 0, jobs: ['prometheus'] })
})

t.test('a path on no volume or no such Deployment is refused before starting', async (t) => {
  const noVolume = await patched('k8s', { 'Deployment/prometheus': [replace(`${C}/args/1`, '--storage.tsdb.path=/data')] })
  await t.rejects(startFromDeployment(noVolume, 'prometheus', t.testdir()), /--storage\.tsdb\.path=\/data: \/data is on no volume/)
  await t.rejects(startFromDeployment(await rendered('k8s'), 'grafana', t.testdir()), /no Deployment grafana with a --config.file argument/)
})

const P = 'Deployment/prometheus:'
/** [what is broken in k8s/, changes, every message of checkTargets on what the real Prometheus resolved]. */
const targets: Array<[string, Record<string, Change[]>, string[]]> = [
  ['a scrape target that is no Service', { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', "'service-a:80'", "'service-b:80'")] }, [`${P} job service-a: target service-b:80 is no Service of the stack (service-b)`]],
  ['a scrape target on a port the Service lacks', { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', "'service-a:80'", "'service-a.metrics-stack.svc:8080'")] }, [`${P} job service-a: target service-a.metrics-stack.svc:8080 is no port of Service service-a`]],
  ['a scraped Service without ports', { 'Service/service-a': [remove('/spec/ports')] }, [`${P} job service-a: target service-a:80 is no port of Service service-a`]],
  ['a self-scrape on a port Prometheus does not listen on', { 'ConfigMap/prometheus-config': [edit('/data/prometheus.yml', "'localhost:9090'", "'127.0.0.1:9091'")] }, [`${P} job prometheus: target 127.0.0.1:9091 is no container port of this pod`]],
  ['alerts sent to a port the alertmanager Service lacks', { 'ConfigMap/prometheus-config': [edit('/data/prometheus.yml', "'alertmanager:9093'", "'alertmanager:9094'")] }, [`${P} alerting target alertmanager:9094 is no port of Service alertmanager`]],
  ['alerts sent to no Alertmanager of the stack', { 'Service/alertmanager': [replace('/metadata/name', 'alerts')] }, [`${P} alerting target alertmanager:9093 is no Service of the stack (alertmanager)`]]
]

t.test('static targets and Alertmanagers that the real Prometheus resolves to no Service port of the stack fail', async (t) => {
  const dir = t.testdir()
  // One Prometheus per case, side by side: each waits a few seconds for its discovery.
  await Promise.all(targets.map(async ([what, changes, messages], i) => {
    const objects = await patched('k8s', changes)
    const { url, stop } = await startFromDeployment(objects, 'prometheus', join(dir, `${i}`))
    t.teardown(stop)
    t.same(await checkTargets(objects, 'prometheus', url), messages, what)
  }))
})
