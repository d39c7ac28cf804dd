import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { generatedDashboards, staleDashboards } from '../../src/dashboards/generate.ts'
import { allPanels, panelQueries, type Dashboard } from '../../src/monitoring/dashboard.ts'
import { PATHS } from '../../src/support/paths.ts'

t.test('grafana/dashboards/service-a.json is exactly what its TypeScript source generates (run make dashboards); test-monitoring lints it', async (t) => {
  t.same(generatedDashboards().map(({ file }) => file), [PATHS.dashboard])
  t.same(staleDashboards(), [], 'no checked-in dashboard differs from its source')
})

t.test('a hand edit, a missing file, or a source change is reported', async (t) => {
  const dir = t.testdir()
  const { json } = generatedDashboards()[0]!
  const file = (name: string, content?: string): string => {
    const path = join(dir, name)
    if (content !== undefined) writeFileSync(path, content)
    return path
  }
  const same = file('same.json', json)
  const edited = file('edited.json', json.replace('"title": "Target up"', '"title": "Target is up"'))
  const reformatted = file('reformatted.json', JSON.stringify(JSON.parse(json)))
  const missing = file('missing.json')
  t.same(staleDashboards([same, edited, reformatted, missing].map((path) => ({ file: path, json }))), [edited, reformatted, missing])
})

t.test('the load generator\'s traffic has panels of its own: the latency distribution and the 4xx rate', async (t) => {
  const dashboard = JSON.parse(generatedDashboards()[0]!.json) as Dashboard
  t.match(allPanels(dashboard).find((panel) => panel.title === 'Latency distribution'), { type: 'heatmap', targets: [{ format: 'heatmap' }] }, 'the buckets are drawn as Prometheus made them')
  t.match(panelQueries(dashboard).find((query) => query.panel === 'Client errors (4xx) by route and status')?.expr, /status_code=~"4\.\."/)
})
