import t from 'tap'
import { containersOf, find, podTemplates } from '../../src/manifests/objects.ts'

const pod = { name: 'p', image: 'x:1' }

t.test('podTemplates finds the pod spec of each workload kind', async (t) => {
  const objects = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare', labels: { a: '1' } }, spec: { containers: [pod] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unlabelled' }, spec: { containers: [pod] } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron' }, spec: { jobTemplate: { spec: { template: { metadata: { labels: { b: '2' } }, spec: { containers: [pod] } } } } } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'set' }, spec: { template: { spec: { containers: [pod] } } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'none' } }
  ]
  t.same(podTemplates(objects).map((p) => [p.owner.metadata.name, p.labels]), [
    ['bare', { a: '1' }], ['unlabelled', {}], ['cron', { b: '2' }], ['set', {}]
  ])
})

t.test('containersOf includes init and ephemeral containers', async (t) => {
  const spec = { initContainers: [{ name: 'i' }], containers: [{ name: 'c' }], ephemeralContainers: [{ name: 'e' }] }
  t.same(containersOf(spec).map((c) => c.name), ['i', 'c', 'e'])
  t.same(containersOf({}), [])
})

t.test('find matches kind, name and namespace', async (t) => {
  const objects = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' } }]
  t.ok(find(objects, 'Service', 's', 'n'))
  t.notOk(find(objects, 'Service', 's'))
  t.notOk(find(objects, 'ConfigMap', 's', 'n'))
})
