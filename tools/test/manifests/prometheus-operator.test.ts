import { globSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { PATHS } from '../../src/support/paths.ts'
import { checkJobLabel, COMPONENT, generatedFiles, jobMatchers, operatorQueries, podMonitorJobs, ruleName, ruleSources } from '../../src/manifests/operator-files.ts'
import { patched, remove, rendered } from './fixtures.ts'

const ROOT = 'overlays/prometheus-operator'

t.test('the overlay renders service-a and the operator objects only: a PrometheusRule with the groups of each rule file, the dashboard JSON', async (t) => {
  const objects = await rendered(ROOT)
  t.same(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
    'ConfigMap/service-a-dashboard', 'Deployment/service-a', 'PodMonitor/service-a', 'PrometheusRule/service-a-alerts', 'PrometheusRule/service-a-recording',
    'PrometheusRule/service-a-slos', 'Service/service-a', 'ServiceAccount/service-a'])
  // The rules themselves pass promtool's check and unit tests in make test-monitoring: the same groups.
  for (const { file, text } of ruleSources()) t.same(objects.find((o) => o.metadata.name === ruleName(file))?.spec.groups, (parse(text) as { groups: unknown[] }).groups, file)
  const dashboard = objects.find((o) => o.kind === 'ConfigMap')!
  t.same(dashboard.data, { 'service-a.json': await readFile(PATHS.dashboard, 'utf8') })
  t.equal(dashboard.metadata.labels?.grafana_dashboard, '1', "the label kube-prometheus-stack's Grafana sidecar loads")
})

t.test('the checked-in files are what make operator-files makes of the raw files now; an edited, added or removed rule file is caught', async (t) => {
  const checkedIn = new Map(globSync(join(COMPONENT, '*.yaml')).filter((path) => /-(prometheusrule|dashboard-configmap)\.yaml$/.test(path)).map((path) => [path, readFileSync(path, 'utf8')]))
  // Generated and checked-in files that differ, a missing one or one that no rule file makes included.
  const differing = (files: Array<{ path: string, text: string }>): string[] => [...new Set([...checkedIn.keys(), ...files.map((f) => f.path)])]
    .filter((path) => checkedIn.get(path) !== files.find((f) => f.path === path)?.text).map((path) => basename(path))
  t.same(differing(generatedFiles()), [], 'run make operator-files')
  const [alerts, recording, slos] = ruleSources()
  const cases: Array<[string, Array<{ file: string, text: string }>, string]> = [
    ['edited', [{ ...alerts!, text: alerts!.text.replace('for: 2m', 'for: 3m') }, recording!, slos!], 'service-a-alerts-prometheusrule.yaml'],
    ['added', [alerts!, recording!, slos!, { file: join(PATHS.prometheusRules, 'new.yml'), text: 'groups: []\n' }], 'new-prometheusrule.yaml'],
    ['removed', [alerts!, slos!], 'service-a-recording-prometheusrule.yaml']
  ]
  for (const [what, sources, file] of cases) t.same(differing(generatedFiles(sources)), [file], what)
})

t.test('the operator gives the series job="service-a", which the rules and the dashboard select; without jobLabel every job matcher fails', async (t) => {
  const objects = await rendered(ROOT)
  t.same(podMonitorJobs(objects, objects.find((o) => o.kind === 'PodMonitor')!), ['service-a'])
  t.same(checkJobLabel(objects), [])
  const selecting = operatorQueries(objects).filter(({ expr }) => jobMatchers(expr).length > 0)
  t.ok(selecting.some(({ where }) => where.startsWith('PrometheusRule/')) && selecting.some(({ where }) => where.startsWith('ConfigMap/')), 'rules and panels select a job')
  const errors = checkJobLabel(await patched(ROOT, { 'PodMonitor/service-a': [remove('/spec/jobLabel')] }))
  t.equal(errors.length, operatorQueries(objects).flatMap(({ expr }) => jobMatchers(expr)).length)
  t.equal(errors[0], 'PrometheusRule/service-a-alerts: service-a-availability: ServiceATargetDown: job="service-a" matches no series: the operator names the job "metrics-stack/service-a"')
})

t.test('the release label is one setting, on every object the chart selects by it', async (t) => {
  const objects = (await rendered(ROOT)).filter((o) => o.apiVersion?.startsWith('monitoring.coreos.com/') === true)
  t.same(objects.map((o) => `${o.kind} ${o.metadata.labels?.release}`), ['PodMonitor', 'PrometheusRule', 'PrometheusRule', 'PrometheusRule'].map((kind) => `${kind} kube-prometheus-stack`))
  const kustomization = await readFile(join(COMPONENT, 'kustomization.yaml'), 'utf8')
  t.equal(kustomization.match(/kube-prometheus-stack$/gm)?.length, 1, 'the value is written once')
})
