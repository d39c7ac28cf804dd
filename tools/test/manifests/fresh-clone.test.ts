import t from 'tap'
import { advertisedInRepository, advertisedRoots, checkFreshApply, freshCopy } from '../../src/manifests/fresh-clone.ts'

t.test('every `kubectl apply -k ROOT` the repository advertises works on a fresh clone', async (t) => {
  const clone = t.testdir()
  await freshCopy(clone)
  const advertised = await advertisedInRepository()
  for (const { file, root } of advertised) t.same(await checkFreshApply(clone, root), [], `${file}: kubectl apply -k ${root}`)
})

t.test('on a fresh clone, the stack and Grafana lack their admin Secret file, and service-a has no pullable image', async (t) => {
  const clone = t.testdir()
  await freshCopy(clone)
  t.match(await checkFreshApply(clone, 'k8s'), [/^kubectl apply -k k8s fails on a fresh clone: .*grafana-admin\.secret\.env/])
  t.match(await checkFreshApply(clone, 'grafana'), [/^kubectl apply -k grafana fails on a fresh clone: .*grafana-admin\.secret\.env/])
  t.same(await checkFreshApply(clone, 'service-a'), ['kubectl apply -k service-a: Deployment/service-a: image service-a has no tag'])
  t.same(await checkFreshApply(clone, 'prometheus'), [])
})

t.test('advertisedRoots finds each root, without a trailing slash', async (t) => {
  t.same(advertisedRoots('# The stack: `kubectl apply -k k8s` or kubectl apply -k prometheus/ alone; kubectl apply -f x.yaml; kubectl apply -k ROOT'), ['k8s', 'prometheus'])
})
