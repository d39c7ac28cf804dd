import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { stringify } from 'yaml'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { prometheus3 } from '../../src/monitoring/prometheus-server.ts'
import { checkJobLabel, jobMatchers, operatorJobs, operatorQueries } from '../../src/manifests/operator-job.ts'
import { dashboardConfigMap, generatedFiles, prometheusRule, ruleGroups, ruleName, ruleSources, staleFiles } from '../../src/manifests/operator-files.ts'
import { isOperatorKind } from '../../src/manifests/operator-schema.ts'
import { add, patched, remove, rendered } from './fixtures.ts'

const ROOT = 'overlays/prometheus-operator'
// promtool of the Prometheus 3.x the tests run.
const PROMTOOL = join(dirname(prometheus3()), 'promtool')

t.test('the overlay renders service-a and the operator objects only', async (t) => {
  t.same((await rendered(ROOT)).map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
    'ConfigMap/service-a-dashboard', 'Deployment/service-a', 'PodMonitor/service-a', 'PrometheusRule/service-a-alerts', 'PrometheusRule/service-a-recording',
    'Service/service-a', 'ServiceAccount/service-a'])
})

t.test('the generated PrometheusRules and dashboard ConfigMap are what make operator-files makes of the raw files now', async (t) => {
  t.same(staleFiles(), [])
  // A rule edited in prometheus/rules/ without `make operator-files` is caught.
  const [alerts, recording, dashboard] = generatedFiles()
  const edited = { ...ruleSources()[0]!, text: ruleSources()[0]!.text.replace('for: 2m', 'for: 3m') }
  t.same(staleFiles([{ path: alerts!.path, text: prometheusRule(edited) }, recording!, dashboard!]),
    ['k8s/components/prometheus-operator/service-a-alerts-prometheusrule.yaml is stale: run make operator-files'])
  t.same(staleFiles([alerts!, recording!, { path: `${dashboard!.path}.missing`, text: dashboardConfigMap() }]),
    ['k8s/components/prometheus-operator/service-a-dashboard-configmap.yaml.missing is missing: run make operator-files'])
  // A rule file removed leaves its PrometheusRule behind.
  t.same(staleFiles([alerts!, dashboard!]),
    ['k8s/components/prometheus-operator/service-a-recording-prometheusrule.yaml comes from no rule file: delete it (and its line in kustomization.yaml)'])
})

t.test('a PrometheusRule per file of prometheus/rules/ with exactly its groups; the ConfigMap holds the dashboard JSON', async (t) => {
  const objects = await rendered(ROOT)
  const rules = objects.filter((o) => o.kind === 'PrometheusRule')
  const sources = ruleSources()
  t.same(rules.map((r) => r.metadata.name).sort(), sources.map((s) => ruleName(s.file)).sort(), 'one per rule file, all rendered')
  for (const source of sources) t.same(rules.find((r) => r.metadata.name === ruleName(source.file))?.spec.groups, ruleGroups([source]), source.file)
  const dashboard = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'service-a-dashboard')!
  t.same(dashboard.data, { 'service-a.json': await readFile(PATHS.dashboard, 'utf8') })
  t.equal(dashboard.metadata.labels?.grafana_dashboard, '1', "the label kube-prometheus-stack's Grafana sidecar loads")
})

/**
 * The rendered PrometheusRules as the operator hands them to Prometheus, one rule file each, in
 * rules/ beside a copy of prometheus/tests/, whose files load ../rules/*.yml.
 */
async function rulesLayout (t: Test, rules: ReadonlyArray<{ metadata: { name?: string }, spec?: any }>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'prometheusrule-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  await cp(join(REPO_ROOT, 'prometheus/tests'), join(dir, 'tests'), { recursive: true })
  await mkdir(join(dir, 'rules'))
  for (const rule of rules) await writeFile(join(dir, `rules/${rule.metadata.name}.yml`), stringify({ groups: rule.spec.groups }))
  return dir
}

t.test("the PrometheusRules' rules pass promtool check rules and the rule unit tests of prometheus/tests", async (t) => {
  const rules = (await rendered(ROOT)).filter((o) => o.kind === 'PrometheusRule')
  const dir = await rulesLayout(t, rules)
  const files = rules.map((rule) => join(dir, `rules/${rule.metadata.name}.yml`))
  t.match((await execa(PROMTOOL, ['check', 'rules', ...files])).stdout, /SUCCESS/)
  const tests = (await readdir(join(dir, 'tests'))).filter((file) => file.endsWith('.yml'))
  t.ok(tests.length >= 2, 'the unit tests of both rule files')
  t.match((await execa(PROMTOOL, ['test', 'rules', ...tests], { cwd: join(dir, 'tests') })).stdout, /SUCCESS/)

  // The tests do test these rules: without the alerts' PrometheusRule they fail.
  const fewer = await rulesLayout(t, rules.filter((rule) => rule.metadata.name !== 'service-a-alerts'))
  await t.rejects(execa(PROMTOOL, ['test', 'rules', ...tests], { cwd: join(fewer, 'tests') }), /FAILED/)
})

t.test('the operator gives the series job="service-a", which the rules and the dashboard select', async (t) => {
  const objects = await rendered(ROOT)
  t.same(operatorJobs(objects), [{ monitor: 'PodMonitor/service-a', target: 'pods of Deployment/service-a', job: 'service-a' }])
  t.same(checkJobLabel(objects), [])
  const selecting = operatorQueries(objects).filter(({ expr }) => jobMatchers(expr).length > 0)
  t.ok(selecting.some(({ where }) => where.startsWith('PrometheusRule/')), 'rules select a job')
  t.ok(selecting.some(({ where }) => where.startsWith('ConfigMap/')), 'dashboard panels select a job')
  // A relabeling that reads what only the cluster knows is refused, not guessed (the table in checks.test.ts has those it derives).
  const podName = await patched(ROOT, { 'PodMonitor/service-a': [add('/spec/podMetricsEndpoints/0/relabelings', [{ sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'job' }])] })
  t.throws(() => operatorJobs(podName), /reads __meta_kubernetes_pod_name, known only in the cluster/)
})

t.test("without jobLabel the job is '<namespace>/<name>': every job matcher of the rules and panels matches nothing", async (t) => {
  const objects = await patched(ROOT, { 'PodMonitor/service-a': [remove('/spec/jobLabel')] })
  const errors = checkJobLabel(objects)
  t.equal(errors.length, operatorQueries(objects).flatMap(({ expr }) => jobMatchers(expr)).length)
  t.equal(errors[0], 'PrometheusRule/service-a-alerts: service-a-availability: ServiceATargetDown: job="service-a" matches no series: the operator names the job "metrics-stack/service-a"')
})

t.test('the release label is one setting, on every object the chart selects by it', async (t) => {
  const objects = (await rendered(ROOT)).filter(isOperatorKind)
  t.same(objects.map((o) => o.metadata.labels?.release), ['kube-prometheus-stack', 'kube-prometheus-stack', 'kube-prometheus-stack'])
  const kustomization = await readFile(join(REPO_ROOT, 'k8s/components/prometheus-operator/kustomization.yaml'), 'utf8')
  t.equal(kustomization.match(/kube-prometheus-stack$/gm)?.length, 1, 'the value is written once')
})
