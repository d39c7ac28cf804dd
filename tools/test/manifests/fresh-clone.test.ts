import t from 'tap'
import { advertisedInRepository, checkFreshApply } from '../../src/manifests/fresh-clone.ts'
import { freshCopy } from '../../src/manifests/render.ts'

t.test('every `kubectl apply -k ROOT` the repository advertises works on a fresh clone; k8s, grafana and service-a do not', async (t) => {
  const clone = t.testdir()
  await freshCopy(clone)
  const advertised = await advertisedInRepository()
  t.ok(advertised.some(({ file, root }) => file === 'prometheus/kustomization.yaml' && root === 'prometheus'), 'found in a comment, backquote stripped')
  for (const { file, root } of advertised) t.same(await checkFreshApply(clone, root), [], `${file}: kubectl apply -k ${root}`)
  // Without the git-ignored Grafana admin env file, and with service-a's bare image name.
  t.match(await checkFreshApply(clone, 'k8s'), [/^kubectl apply -k k8s fails on a fresh clone: .*grafana-admin\.secret\.env/])
  t.match(await checkFreshApply(clone, 'grafana'), [/^kubectl apply -k grafana fails on a fresh clone: .*grafana-admin\.secret\.env/])
  t.same(await checkFreshApply(clone, 'service-a'), ['kubectl apply -k service-a: Deployment/service-a: image service-a has no tag'])
})
