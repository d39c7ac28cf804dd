import t from 'tap'
import { allPanels, lintDashboard, loadDashboard, panelQueries, substituteGrafanaVariables, type Dashboard } from '../../src/monitoring/dashboard.ts'
import { readPrometheusDatasource } from '../../src/monitoring/grafana-provisioning.ts'
import { PATHS } from '../../src/support/paths.ts'

const datasource = readPrometheusDatasource()
const dashboard = loadDashboard(PATHS.dashboard)
const copy = (): Dashboard => structuredClone(dashboard)

t.test('the service-a dashboard is sound and uses the provisioned datasource by uid', async (t) => {
  t.same(lintDashboard(dashboard, datasource.uid), [])
  t.equal(dashboard.uid, 'service-a')
  t.equal(dashboard.schemaVersion, 42)
})

t.test('the dashboard covers RED, the Node.js runtime, target up and restarts', async (t) => {
  const queries = panelQueries(dashboard).map((query) => query.expr).join('\n')
  for (const metric of ['http_requests_total', 'job_route:http_request_error_ratio:rate5m', 'http_request_duration_seconds_bucket',
    'http_requests_in_flight', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds', 'nodejs_active_handles_total', 'up{', 'process_start_time_seconds']) {
    t.ok(queries.includes(metric), `a panel queries ${metric}`)
  }
  t.match(queries, /histogram_quantile\(0\.5,[\s\S]*histogram_quantile\(0\.9,[\s\S]*histogram_quantile\(0\.99,/)
})

t.test('the provisioned datasource is the in-cluster Prometheus, not editable', async (t) => {
  t.same(datasource, { uid: 'prometheus', url: 'http://prometheus:9090' })
})

t.test('the linter catches each kind of broken dashboard', async (t) => {
  const cases: Array<[string, (d: Dashboard) => void, RegExp]> = [
    ['no uid', (d) => { delete d.uid }, /no fixed uid/],
    ['no title', (d) => { d.title = '' }, /no title/],
    ['no schemaVersion', (d) => { delete d.schemaVersion }, /no schemaVersion/],
    ['a repeated panel id', (d) => { d.panels![2]!.id = d.panels![1]!.id }, /repeats the id/],
    ['a panel without id', (d) => { delete d.panels![1]!.id }, /no numeric id/],
    ['a panel without title', (d) => { delete d.panels![1]!.title }, /has no title/],
    ['no gridPos', (d) => { delete d.panels![1]!.gridPos }, /no gridPos/],
    ['a panel past column 24', (d) => { d.panels![1]!.gridPos!.x = 20 }, /outside the 24-column grid/],
    ['overlapping panels', (d) => { d.panels![2]!.gridPos = { ...d.panels![1]!.gridPos! } }, /overlaps/],
    ['a datasource by another uid', (d) => { d.panels![1]!.datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' } }, /uses datasource uid P1809F7CD0C75ACF3/],
    ['a query by another datasource', (d) => { d.panels![1]!.targets![0]!.datasource = { uid: 'mine' } }, /query A uses datasource uid mine/],
    ['a panel without query', (d) => { d.panels![1]!.targets = [] }, /has no query/],
    ['a query without refId', (d) => { delete d.panels![1]!.targets![0]!.refId }, /without refId/],
    ['a repeated refId', (d) => { d.panels![1]!.targets!.push({ ...d.panels![1]!.targets![0]! }) }, /repeats the refId A/],
    ['an empty expr', (d) => { d.panels![1]!.targets![0]!.expr = ' ' }, /has no expr/]
  ]
  for (const [name, breakIt, message] of cases) {
    const broken = copy()
    breakIt(broken)
    t.match(lintDashboard(broken, datasource.uid).join('\n'), message, name)
  }
})

t.test('panels inside a collapsed row are listed and checked too', async (t) => {
  const d: Dashboard = {
    uid: 'x',
    title: 'x',
    schemaVersion: 42,
    panels: [{ id: 1, type: 'row', title: 'row', gridPos: { x: 0, y: 0, w: 24, h: 1 }, panels: [{ id: 2, title: 'inner', gridPos: { x: 0, y: 1, w: 6, h: 4 }, datasource: { uid: 'prometheus' }, targets: [{ refId: 'A', expr: 'up' }] }] }, { id: 3, title: 'untitled targets', gridPos: { x: 0, y: 5, w: 6, h: 4 }, datasource: { uid: 'prometheus' } }]
  }
  t.same(allPanels(d).map((panel) => panel.id), [1, 2, 3])
  t.same(panelQueries(d), [{ panel: 'inner', refId: 'A', expr: 'up' }])
  t.same(lintDashboard(d, 'prometheus'), ['panel 3 "untitled targets" has no query'])
  d.panels![1]!.targets = [{}]
  delete d.panels![1]!.title
  t.same(panelQueries(d), [{ panel: 'inner', refId: 'A', expr: 'up' }, { panel: 'panel 3', refId: '?', expr: '' }])
})

t.test('an empty dashboard has no panels and is reported for what it lacks', async (t) => {
  t.same(allPanels({}), [])
  t.same(lintDashboard({}, 'prometheus'), ['the dashboard has no fixed uid', 'the dashboard has no title', 'the dashboard has no schemaVersion'])
})

t.test('Grafana variables are replaced as Grafana does', async (t) => {
  const range = { rangeSeconds: 3600, intervalSeconds: 15, scrapeIntervalSeconds: 15 }
  t.equal(substituteGrafanaVariables('rate(x[$__rate_interval])', range), 'rate(x[60s])')
  t.equal(substituteGrafanaVariables('rate(x[$__rate_interval])', { ...range, intervalSeconds: 120 }), 'rate(x[135s])')
  t.equal(substituteGrafanaVariables('changes(x[$__range]) / $__range_s', range), 'changes(x[3600s]) / 3600')
  t.equal(substituteGrafanaVariables('avg_over_time(x[$__interval]) * $__interval_ms', range), 'avg_over_time(x[15s]) * 15000')
})
