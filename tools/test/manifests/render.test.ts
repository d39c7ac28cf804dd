import t from 'tap'
import { KUSTOMIZE_ROOTS, parseObjects, render } from '../../src/manifests/render.ts'
import { rendered } from './fixtures.ts'

t.test('every kustomize root renders offline, the stack with its 18 objects', async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) {
    const objects = await rendered(dir)
    t.ok(objects.length > 0, `${dir} renders objects`)
  }
  const stack = await rendered('k8s')
  t.equal(stack.length, 18)
  t.same(new Set(stack.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace)), new Set(['metrics-stack']))
})

t.test('the generated names carry the content hash that rolls the pods', async (t) => {
  const names = (await rendered('k8s')).filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').map((o) => o.metadata.name)
  t.equal(names.length, 6)
  for (const name of names) t.match(name, /-[a-z0-9]{10}$/)
})

t.test('a folder without a kustomization fails to render', async (t) => {
  await t.rejects(render('tools'), /kustomization/i)
})

t.test('parseObjects skips empty documents and throws on broken YAML', async (t) => {
  t.same(parseObjects('---\n---\nkind: A\n'), [{ kind: 'A' }])
  t.throws(() => parseObjects('a: [1\n'))
})
