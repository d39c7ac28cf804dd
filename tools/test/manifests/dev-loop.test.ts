import { execFile } from 'node:child_process'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { parse } from 'yaml'
import { checkDevOverlay, checkSkaffoldDevLoop, hookDir, hostHooks } from '../../src/manifests/dev-loop.ts'
import { REPO_ROOT } from '../../src/manifests/render.ts'
import { withProfile, type SkaffoldConfig } from '../../src/manifests/skaffold.ts'
import { rendered } from './fixtures.ts'

const run = promisify(execFile)
const skaffold = async (): Promise<SkaffoldConfig> => parse(await readFile(join(REPO_ROOT, 'skaffold.yaml'), 'utf8'))

t.test('the dev overlay leaves out the Namespace and the claims, and its pods stop within 30 s', async (t) => {
  t.same(checkDevOverlay(await rendered('overlays/dev')), [])
})

t.test('the stack of k8s/ as the dev loop would fail: a Namespace, claims, and 120 s of grace', async (t) => {
  const errors = checkDevOverlay(await rendered('k8s'))
  t.ok(errors.includes("Namespace/metrics-stack: skaffold dev would delete it on exit; the dev profile's before-deploy hook applies it instead"))
  t.ok(errors.includes('PersistentVolumeClaim/prometheus-data: skaffold dev would delete it, and its data, on exit'))
  t.ok(errors.includes("Deployment/prometheus: volume data mounts claim prometheus-data; add the Deployment to overlays/dev's emptyDir patch"))
  t.ok(errors.includes("Deployment/grafana: volume data mounts claim grafana-data; add the Deployment to overlays/dev's emptyDir patch"))
  t.ok(errors.includes('Deployment/prometheus: terminationGracePeriodSeconds 120 exceeds 30 s in the dev loop'))
})

t.test('every Deployment of k8s/ runs in the dev loop with the same images and mounts', async (t) => {
  const dev = await rendered('overlays/dev')
  for (const deployment of (await rendered('k8s')).filter((o) => o.kind === 'Deployment')) {
    const twin = dev.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment.metadata.name)
    const shape = (d: any): unknown => d?.spec.template.spec.containers.map((c: any) => [c.image, c.volumeMounts])
    t.same(shape(twin), shape(deployment), `Deployment/${deployment.metadata.name}`)
  }
})

t.test('skaffold.yaml: no push: false, every host hook has its dir, the dev profile applies the Namespace', async (t) => {
  t.same(checkSkaffoldDevLoop(await skaffold(), REPO_ROOT, 'metrics-stack'), [])
})

t.test('push: false, a hook without dir, and a dev profile without the Namespace hook fail', async (t) => {
  const config: any = await skaffold()
  config.build.local = { push: false }
  delete config.manifests.hooks.before[0].host.dir
  config.profiles.find((p: any) => p.name === 'dev').patches = config.profiles.find((p: any) => p.name === 'dev').patches
    .filter((p: any) => !String(p.path).startsWith('/deploy/kubectl/hooks'))
  t.same(checkSkaffoldDevLoop(config, REPO_ROOT, 'metrics-stack'), [
    'skaffold.yaml build.local.push: false never pushes, so a remote cluster cannot pull service-a (Skaffold already skips pushes to local clusters)',
    "skaffold.yaml manifests.hooks.before[0]: no dir, so the hook runs in the caller's working directory",
    "skaffold.yaml (dev profile) manifests.hooks.before[0]: no dir, so the hook runs in the caller's working directory",
    'skaffold.yaml (dev profile): no before-deploy hook applies Namespace metrics-stack, which overlays/dev leaves out'
  ])
})

t.test('the render hook works when skaffold is called from another folder', async (t) => {
  const elsewhere = t.testdir()
  const [render] = hostHooks(await skaffold())
  const [command, ...args] = render!.hook.command
  await t.resolves(run(command!, args, { cwd: hookDir(render!.hook, REPO_ROOT, elsewhere) }))
  // What skaffold did before the hook had a dir: run it where the caller stands.
  await t.rejects(run(command!, args, { cwd: hookDir({ ...render!.hook, dir: undefined }, REPO_ROOT, elsewhere) }), /No such file/)
})

t.test("the dev profile's before-deploy hook applies k8s/namespace.yaml in skaffold's kube context", async (t) => {
  const dev = withProfile(await skaffold(), 'dev')
  const hooks = hostHooks(dev).filter(({ where }) => where.startsWith('deploy.kubectl.hooks.before'))
  t.equal(hooks.length, 1)
  // A kubectl that records its arguments: the hook runs for real, without a cluster.
  const bin = t.testdir({ elsewhere: {} })
  await writeFile(join(bin, 'kubectl'), '#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\ntest -f "$5"\n')
  await chmod(join(bin, 'kubectl'), 0o755)
  const [command, ...args] = hooks[0]!.hook.command
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, SKAFFOLD_KUBE_CONTEXT: 'minikube' }
  await run(command!, args, { cwd: hookDir(hooks[0]!.hook, REPO_ROOT, join(bin, 'elsewhere')), env })
  t.equal((await readFile(join(bin, 'args'), 'utf8')).trim(), '--context minikube apply -f k8s/namespace.yaml')
})

t.test('hookDir: absolute dirs stay, relative ones follow skaffold.yaml, none is the caller\'s', async (t) => {
  t.equal(hookDir({ command: [], dir: '/abs' }, '/repo', '/caller'), '/abs')
  t.equal(hookDir({ command: [], dir: '.' }, '/repo', '/caller'), '/repo')
  t.equal(hookDir({ command: [], dir: '' }, '/repo', '/caller'), '/caller')
})
