import { join } from 'node:path'
import t from 'tap'
import { checkGeneratedFiles } from '../../src/manifests/generated-files.ts'
import { REPO_ROOT } from '../../src/manifests/render.ts'
import { rendered } from './fixtures.ts'

t.test('every rule file and dashboard on disk is in its generated ConfigMap', async (t) => {
  const stack = await rendered('k8s')
  t.same(await checkGeneratedFiles(stack, join(REPO_ROOT, 'prometheus/rules'), ['.yml', '.yaml'], 'prometheus-rules'), [])
  t.same(await checkGeneratedFiles(stack, join(REPO_ROOT, 'grafana/dashboards'), ['.json'], 'grafana-dashboards'), [])
  t.same(await checkGeneratedFiles(stack, join(REPO_ROOT, 'grafana/provisioning/datasources'), ['.yaml'], 'grafana-datasources'), [])
})

t.test('a file missing from the configMapGenerator fails', async (t) => {
  const dir = t.testdir({ 'service-a-alerts.yml': '', 'service-a-recording.yml': '', 'new.yml': '', 'README.md': '' })
  t.same(await checkGeneratedFiles(await rendered('k8s'), dir, ['.yml'], 'prometheus-rules'), [
    `${join(dir, 'new.yml')} is not in ConfigMap prometheus-rules (add it to the configMapGenerator)`
  ])
})

t.test('a generated ConfigMap that is missing fails', async (t) => {
  t.same(await checkGeneratedFiles(await rendered('service-a'), REPO_ROOT, ['.yml'], 'prometheus-rules'), [
    'expected one generated ConfigMap prometheus-rules, found 0'
  ])
  const noData = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prometheus-rules-0123456789' } }]
  const dir = t.testdir({ 'a.yml': '' })
  t.same(await checkGeneratedFiles(noData, dir, ['.yml'], 'prometheus-rules'), [`${join(dir, 'a.yml')} is not in ConfigMap prometheus-rules (add it to the configMapGenerator)`])
})
