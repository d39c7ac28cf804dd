import t from 'tap'
import { readRules } from '../../src/monitoring/prometheus-config.ts'
import { headingAnchors, runbookProblems } from '../../src/monitoring/runbooks.ts'

// Every alert's runbook_url lands on a section of docs/runbooks.md, as GitHub anchors it.

t.test('every alert of prometheus/rules has a runbook_url that names a heading of docs/runbooks.md', async (t) => {
  const rules = readRules()
  const alerts = [...new Set(rules.flatMap((rule) => rule.alert ?? []))]
  t.ok(alerts.length >= 7, `${alerts.length} alerts: ${alerts.join(', ')}`)
  t.same(runbookProblems(rules), [])
})

t.test('a missing runbook_url, another file, an unknown section or a dead link inside the runbook is caught', async (t) => {
  const markdown = '# Runbooks\n\n## ServiceATargetDown\n\nSee [below](#watchdog).\n\n```sh\n# not a heading\n```\n'
  const alert = (runbookUrl?: string): { file: string, alert: string, annotations: Record<string, string> } =>
    ({ file: 'a.yml', alert: 'A', annotations: runbookUrl === undefined ? {} : { runbook_url: runbookUrl } })
  t.same(runbookProblems([alert('docs/runbooks.md#serviceatargetdown'), { file: 'a.yml', record: 'r' }], markdown), ['docs/runbooks.md: the link #watchdog names no heading'])
  t.same(runbookProblems([alert(), alert('docs/other.md#serviceatargetdown'), alert('docs/runbooks.md'), alert('docs/runbooks.md#servicea-target-down'), alert('docs/runbooks.md#not-a-heading')], markdown + '## Watchdog\n'), [
    'a.yml: A has no runbook_url',
    'a.yml: A\'s runbook_url docs/other.md#serviceatargetdown is not docs/runbooks.md#<section>',
    'a.yml: A\'s runbook_url docs/runbooks.md is not docs/runbooks.md#<section>',
    'a.yml: A\'s runbook_url docs/runbooks.md#servicea-target-down names no heading of docs/runbooks.md',
    'a.yml: A\'s runbook_url docs/runbooks.md#not-a-heading names no heading of docs/runbooks.md'
  ])
})

t.test('headings are anchored as GitHub does', async (t) => {
  t.same([...headingAnchors('# Runbooks\n## ServiceATargetDown\n### What it means: the 5xx (and 4xx)\n## Runbooks\n#hashtag\n')],
    ['runbooks', 'serviceatargetdown', 'what-it-means-the-5xx-and-4xx', 'runbooks-1'])
})
