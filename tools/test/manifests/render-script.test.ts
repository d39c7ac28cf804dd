import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { checkContainers } from '../../src/manifests/containers.ts'
import { checkCrossRefs } from '../../src/manifests/cross-refs.ts'
import { parseObjects, REPO_ROOT } from '../../src/manifests/render.ts'
import { checkSchema } from '../../src/manifests/schema.ts'

const run = promisify(execFile)
const script = join(REPO_ROOT, 'scripts/render-manifests.sh')

t.test('make manifests renders one file whose images are all pinned, for a real cluster', async (t) => {
  const out = join(t.testdir(), 'stack.yaml')
  await run('bash', [script, 'overlays/multi-replica', 'registry.example.com:5000/team/service-a:1.2.3', out], { cwd: REPO_ROOT })
  const objects = parseObjects(await readFile(out, 'utf8'))
  // No exception for skaffold's bare name any more.
  t.same(checkContainers(objects), [])
  t.same(checkCrossRefs(objects), [])
  t.same(await checkSchema(objects), [])
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'service-a')!
  t.equal(deployment.spec.template.spec.containers[0].image, 'registry.example.com:5000/team/service-a:1.2.3')
})

t.test('an image by digest is kept by digest; an image without tag is refused', async (t) => {
  const out = join(t.testdir(), 'stack.yaml')
  await run('bash', [script, 'k8s', 'service-a@sha256:0123', out], { cwd: REPO_ROOT })
  t.match(await readFile(out, 'utf8'), 'image: service-a@sha256:0123')
  await t.rejects(run('bash', [script, 'k8s', 'registry:5000/service-a', out], { cwd: REPO_ROOT }), /must carry a tag or a digest/)
})
