import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { KUSTOMIZE_ROOTS, REPO_ROOT } from '../../src/manifests/render.ts'
import { checkSkaffoldRefs, checkSkaffoldSchema, dockerStages, withProfile, type SkaffoldConfig } from '../../src/manifests/skaffold.ts'
import { rendered } from './fixtures.ts'

const skaffold = async (): Promise<SkaffoldConfig> => parse(await readFile(join(REPO_ROOT, 'skaffold.yaml'), 'utf8'))

t.test('skaffold.yaml matches the v4beta14 schema, with and without the dev profile', async (t) => {
  const config = await skaffold()
  t.same(checkSkaffoldSchema(config), [])
  t.same(checkSkaffoldSchema(withProfile(config, 'dev')), [])
})

t.test('a misspelled or unknown field in skaffold.yaml fails', async (t) => {
  const config: any = await skaffold()
  config.build.artifacts[0].contxt = 'service-a'
  config.portForward[0].localport = 9000
  config.apiVersion = 'skaffold/v2beta29'
  t.same(checkSkaffoldSchema(config), [
    'skaffold.yaml /apiVersion: must be equal to constant',
    'skaffold.yaml /build/artifacts/0: must NOT have additional properties "contxt"',
    'skaffold.yaml /portForward/0: must NOT have additional properties "localport"'
  ])
  t.same(checkSkaffoldSchema('apiVersion: x'), ['skaffold.yaml (root): must be object'])
})

t.test('the artifact is the image service-a runs and each port forward is a Service port', async (t) => {
  const config = await skaffold()
  t.same(checkSkaffoldRefs(config, await rendered('k8s')), [])
  t.same(config.portForward?.map((f) => [f.resourceName, f.port, f.localPort]), [['service-a', 80, 9000], ['prometheus', 9090, 9090], ['grafana', 3000, 3000]])
})

t.test('the dev profile builds the dev stage, syncs the sources and deploys overlays/dev', async (t) => {
  const dev = withProfile(await skaffold(), 'dev')
  const artifact = dev.build!.artifacts![0]!
  t.equal(artifact.docker?.target, 'dev')
  const dockerfile = await readFile(join(REPO_ROOT, artifact.context!, artifact.docker!.dockerfile!), 'utf8')
  t.ok(dockerStages(dockerfile).includes('dev'), 'the Dockerfile has a dev stage')
  t.same(dev.manifests?.kustomize?.paths, ['overlays/dev'])
  t.same(checkSkaffoldRefs(dev, await rendered('overlays/dev')), [])
})

t.test('every kustomize path and render hook of skaffold.yaml exists in the repository', async (t) => {
  const config = await skaffold()
  for (const profile of [config, withProfile(config, 'dev')]) {
    for (const path of profile.manifests!.kustomize!.paths!) t.ok(KUSTOMIZE_ROOTS.includes(path as any), `${path} is a checked root`)
  }
  const hook = config.manifests!.hooks!.before![0]!.host!.command
  t.same(hook, ['bash', 'scripts/grafana-admin-secret.sh'])
  await access(join(REPO_ROOT, hook[1]!))
})

t.test('a port forward to a missing Service, port or namespace fails', async (t) => {
  const config = await skaffold()
  const objects = await rendered('k8s')
  const forwards = structuredClone(config.portForward!)
  forwards[0]!.port = 8080
  forwards[1]!.resourceName = 'prom'
  delete forwards[2]!.namespace
  forwards.push({ resourceType: 'pod', resourceName: 'x', port: 1 })
  t.same(checkSkaffoldRefs({ ...config, portForward: forwards }, objects), [
    'skaffold.yaml: port forward service-a:8080 in namespace metrics-stack is no port of Service service-a',
    'skaffold.yaml: port forward prom:9090 in namespace metrics-stack is no Service of the stack (prom)',
    'skaffold.yaml: port forward grafana:3000 in namespace undefined is no Service of the stack (grafana)',
    'skaffold.yaml: port forward to pod x: only Services are checked'
  ])
})

t.test('an artifact no pod uses, or a bare image no artifact builds, fails', async (t) => {
  const config = await skaffold()
  const renamed = { ...config, build: { artifacts: [{ image: 'service-b' }] } }
  t.same(checkSkaffoldRefs(renamed, await rendered('k8s')), [
    'skaffold.yaml: artifact service-b is the image of no container',
    'skaffold.yaml: image service-a is built by no artifact'
  ])
  t.same(checkSkaffoldRefs({}, []), [])
})

t.test('profiles: an unknown profile or a patch on a missing path throws', async (t) => {
  const config = await skaffold()
  t.throws(() => withProfile(config, 'prod'), /no profile prod/)
  const bad = { ...config, profiles: [{ name: 'bad', patches: [{ op: 'replace' as const, path: '/build/artifacts/3/image', value: 'x' }] }] }
  t.throws(() => withProfile(bad, 'bad'))
  t.same(withProfile({ profiles: [{ name: 'empty' }] }, 'empty'), { profiles: [{ name: 'empty' }] })
})

t.test('dockerStages lists the named stages', async (t) => {
  t.same(dockerStages('FROM node:24 AS base\nFROM base as Dev\nFROM base\n'), ['base', 'dev'])
})
