import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { checkPartOf } from '../../src/manifests/labels.ts'
import { KUSTOMIZE_ROOTS, parseObjects, REPO_ROOT } from '../../src/manifests/render.ts'
import { broken, rendered } from './fixtures.ts'

// The roots that compose the stack; a component root alone gets the label from k8s/.
const composed = KUSTOMIZE_ROOTS.filter((dir) => dir === 'k8s' || dir.startsWith('overlays/'))

t.test('every object of the composed roots carries app.kubernetes.io/part-of=metrics-stack', async (t) => {
  t.ok(composed.includes('overlays/multi-replica'))
  for (const dir of composed) t.same(checkPartOf(await rendered(dir)), [], dir)
})

t.test("the per-pod component's own objects carry the label in their files, for any overlay that uses it", async (t) => {
  const folder = join(REPO_ROOT, 'k8s/components/per-pod-scraping')
  const component = parse(await readFile(join(folder, 'kustomization.yaml'), 'utf8')) as { resources: string[] }
  const objects = await Promise.all(component.resources.map(async (file) => parseObjects(await readFile(join(folder, file), 'utf8'))[0]!))
  for (const kind of ['PodDisruptionBudget', 'Role', 'RoleBinding']) t.ok(objects.some((o) => o.kind === kind), kind)
  t.same(checkPartOf(objects), [])
})

t.test('an object without the label fails', async (t) => {
  const objects = broken(await rendered('overlays/multi-replica'), 'PodDisruptionBudget', 'service-a', (p) => { delete p.metadata.labels['app.kubernetes.io/part-of'] })
  t.same(checkPartOf(objects), ['PodDisruptionBudget/service-a: label app.kubernetes.io/part-of=metrics-stack is missing'])
  t.same(checkPartOf([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }]), ['ConfigMap/x: label app.kubernetes.io/part-of=metrics-stack is missing'])
})
