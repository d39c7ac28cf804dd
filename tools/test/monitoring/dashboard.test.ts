import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { allPanels, lintDashboard, loadDashboard, panelQueries, readPrometheusDatasource, substituteGrafanaVariables, type Dashboard } from '../../src/monitoring/dashboard.ts'
import { readRules } from '../../src/monitoring/prometheus-config.ts'
import { tempDir } from './helpers.ts'

const datasource = readPrometheusDatasource()
const dashboard = loadDashboard()

t.test('the service-a dashboard is sound, uses the provisioned in-cluster datasource by uid, and covers RED, the Node.js runtime, target up and restarts', async (t) => {
  t.same(lintDashboard(dashboard, datasource.uid), [])
  t.match(dashboard, { uid: 'service-a', schemaVersion: 42 })
  t.same(datasource, { uid: 'prometheus', url: 'http://prometheus:9090' })
  const queries = panelQueries(dashboard).map((query) => query.expr).join('\n')
  for (const metric of ['http_requests_total', 'job_route:http_request_error_ratio:rate5m', 'http_request_duration_seconds_bucket',
    'http_requests_in_flight', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds', 'nodejs_active_handles_total', 'up{', 'process_start_time_seconds']) {
    t.ok(queries.includes(metric), `a panel queries ${metric}`)
  }
  t.match(queries, /histogram_quantile\(0\.5,[\s\S]*histogram_quantile\(0\.9,[\s\S]*histogram_quantile\(0\.99,/)
})

t.test('the SLO row shows each SLO\'s objective and budget left, and its burn rate per window with thresholds at the burn rates of the generated alerts', async (t) => {
  const panels = allPanels(dashboard)
  const row = panels.findIndex((panel) => panel.type === 'row' && /^Service level objectives/.test(panel.title ?? ''))
  t.ok(row >= 0, 'the row is there')
  const next = panels.findIndex((panel, i) => i > row && panel.type === 'row')
  const slo = panels.slice(row + 1, next) as Array<{ title?: string, targets?: Array<{ expr?: string }>, fieldConfig?: { defaults?: { thresholds?: { steps?: Array<{ value: number | null }> } } } }>
  t.same(slo.map((panel) => panel.title), ['Objectives', 'Error budget remaining (30 days)', 'Burn rate: availability (5xx)', 'Burn rate: latency (over 1 s)'])
  t.match(slo[0]!.targets![0]!.expr, /slo:objective:ratio\{sloth_service="service-a"\}/)
  t.match(slo[1]!.targets![0]!.expr, /slo:period_error_budget_remaining:ratio\{sloth_service="service-a"\}/)
  // The factors Sloth wrote into the alerts: (14.4 * budget), (6 * budget), (3 * …), (1 * …).
  const factors = [...new Set(readRules().filter((rule) => rule.alert?.endsWith('BudgetBurn')).flatMap((rule) => [...(rule.expr ?? '').matchAll(/> \(([\d.]+) \* /g)].map((m) => Number(m[1]))))].sort((a, b) => a - b)
  t.same(factors, [1, 3, 6, 14.4], 'the workbook\'s four burn rates')
  for (const [panel, sloName] of [[slo[2]!, 'requests-availability'], [slo[3]!, 'requests-latency']] as const) {
    t.match(panel.targets![0]!.expr, new RegExp(`slo:sli_error:ratio_rate\\(5m\\|30m\\|1h\\|2h\\|6h\\|1d\\|3d\\)", sloth_service="service-a", sloth_slo="${sloName}"`), `${panel.title}: every window of ${sloName}`)
    t.same(panel.fieldConfig?.defaults?.thresholds?.steps?.map((step) => step.value), [null, ...factors], `${panel.title}: a line at each alert level`)
  }
})

t.test('the linter catches each kind of broken dashboard', async (t) => {
  const cases: Array<[string, (d: Required<Dashboard> & { panels: any[] }) => void, RegExp]> = [
    ['no uid', (d) => { d.uid = '' }, /no fixed uid/],
    ['no title', (d) => { d.title = '' }, /no title/],
    ['no schemaVersion', (d) => { delete (d as Dashboard).schemaVersion }, /no schemaVersion/],
    ['a repeated panel id', (d) => { d.panels[2].id = d.panels[1].id }, /repeats the id/],
    ['a panel without id', (d) => { delete d.panels[1].id }, /no numeric id/],
    ['a panel without title', (d) => { delete d.panels[1].title }, /has no title/],
    ['no gridPos', (d) => { delete d.panels[1].gridPos }, /no gridPos/],
    ['a panel past column 24', (d) => { d.panels[1].gridPos.x = 20 }, /outside the 24-column grid/],
    ['overlapping panels', (d) => { d.panels[2].gridPos = { ...d.panels[1].gridPos } }, /overlaps/],
    ['a datasource by another uid', (d) => { d.panels[1].datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' } }, /uses datasource uid P1809F7CD0C75ACF3/],
    ['a query by another datasource', (d) => { d.panels[1].targets[0].datasource = { uid: 'mine' } }, /query A uses datasource uid mine/],
    ['a panel without query', (d) => { d.panels[1].targets = [] }, /has no query/],
    ['a query without refId', (d) => { delete d.panels[1].targets[0].refId }, /without refId/],
    ['a repeated refId', (d) => { d.panels[1].targets.push({ ...d.panels[1].targets[0] }) }, /repeats the refId A/],
    ['an empty expr', (d) => { d.panels[1].targets[0].expr = ' ' }, /has no expr/]
  ]
  for (const [name, breakIt, message] of cases) {
    const broken = structuredClone(dashboard) as Parameters<typeof breakIt>[0]
    breakIt(broken)
    t.match(lintDashboard(broken, datasource.uid).join('\n'), message, name)
  }
  t.same(lintDashboard({}, 'prometheus'), ['the dashboard has no fixed uid', 'the dashboard has no title', 'the dashboard has no schemaVersion'])
})

t.test('panels inside a collapsed row are listed, queried and checked too', async (t) => {
  const inner = { id: 2, title: 'inner', gridPos: { x: 0, y: 1, w: 6, h: 4 }, datasource: { uid: 'prometheus' }, targets: [{ refId: 'A', expr: 'up' }] }
  const row = { id: 1, type: 'row', title: 'row', gridPos: { x: 0, y: 0, w: 24, h: 1 }, panels: [inner, { id: 3, gridPos: { x: 0, y: 5, w: 6, h: 4 }, datasource: { uid: 'prometheus' }, targets: [{}] }] }
  const d: Dashboard = { uid: 'x', title: 'x', schemaVersion: 42, panels: [row] }
  t.same(allPanels(d).map((panel) => panel.id), [1, 2, 3])
  t.same(panelQueries(d), [{ panel: 'inner', refId: 'A', expr: 'up', exemplar: false }, { panel: 'panel 3', refId: '?', expr: '', exemplar: false }])
  t.same(lintDashboard(d, 'prometheus'), ['panel 3 "" has no title', 'panel 3 "" has a query without refId', 'panel 3 "" query undefined has no expr'])
})

t.test('Grafana variables are replaced as Grafana does', async (t) => {
  const range = { rangeSeconds: 3600, intervalSeconds: 15, scrapeIntervalSeconds: 15 }
  t.equal(substituteGrafanaVariables('rate(x[$__rate_interval])', range), 'rate(x[60s])')
  t.equal(substituteGrafanaVariables('rate(x[$__rate_interval])', { ...range, intervalSeconds: 120 }), 'rate(x[135s])')
  t.equal(substituteGrafanaVariables('changes(x[$__range]) / $__range_s', range), 'changes(x[3600s]) / 3600')
  t.equal(substituteGrafanaVariables('avg_over_time(x[$__interval]) * $__interval_ms', range), 'avg_over_time(x[15s]) * 15000')
})

t.test('a datasource folder without a Prometheus datasource is refused', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'loki.yaml'), 'datasources: [{ name: Loki, type: loki, uid: loki }]\n')
  writeFileSync(join(dir, 'empty.yml'), 'apiVersion: 1\n')
  t.throws(() => readPrometheusDatasource(dir), /no prometheus datasource is provisioned/)
})
