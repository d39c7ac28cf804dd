import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { containersOf, describe, ofKind, podTemplates } from '../../src/manifests/objects.ts'
import { render, skaffold, skaffoldConfig, skaffoldRender } from '../../src/manifests/render.ts'
import { checkSkaffold, type SkaffoldConfig } from '../../src/manifests/skaffold.ts'
import { REPO_ROOT } from '../../src/support/paths.ts'
import { freshClone, rendered, SKAFFOLD_ROOTS, TAG } from './fixtures.ts'

// The real Skaffold (make skaffold) on a copy of the tracked files, as a fresh clone has them.
const clone = await freshClone()
const PROFILES = [undefined, ...(parse(await readFile(`${REPO_ROOT}skaffold.yaml`, 'utf8')) as { profiles: Array<{ name: string }> }).profiles.map((p) => p.name)]

t.test('skaffold diagnose accepts the config and every profile; each deploys the root the tests render with Skaffold', async (t) => {
  t.comment(`Skaffold ${(await skaffold(['version'])).trim()}`)
  for (const profile of PROFILES) {
    const { manifests } = await skaffoldConfig<{ manifests: { kustomize: { paths: string[] } } }>({ profile, cwd: clone })
    t.same(manifests.kustomize.paths.map((path) => relative(clone, path)), Object.keys(SKAFFOLD_ROOTS).filter((root) => SKAFFOLD_ROOTS[root] === profile), `profile ${profile}`)
  }
})

/** Our checks of what Skaffold accepts for a config of the clone, its render expected to carry `tag`. */
async function ourChecks (options: { file?: string, profile?: string }, tag = TAG): Promise<string[]> {
  const config = await skaffoldConfig<SkaffoldConfig>({ ...options, cwd: clone })
  const root = Object.keys(SKAFFOLD_ROOTS).find((r) => SKAFFOLD_ROOTS[r] === options.profile)!
  return await checkSkaffold(config, await skaffoldRender({ ...options, cwd: clone, tag: TAG }), await render(root), tag)
}

t.test('skaffold render on a fresh clone runs the hook, tags every service-a container and changes no other image', async (t) => {
  t.notOk(existsSync(join(clone, 'grafana/grafana-admin.secret.env')), 'the clone has no Grafana admin env file')
  for (const [root, profile] of Object.entries(SKAFFOLD_ROOTS)) {
    const secret = ofKind(await rendered(root), 'Secret').find((s) => s.metadata?.name?.startsWith('grafana-admin-'))
    t.match(Buffer.from(secret?.data?.['admin-password'] ?? '', 'base64').toString(), /^[A-Za-z0-9]{20,}$/, `${root}: the hook made the admin password`)
    t.same(await ourChecks({ profile }), [], root)
  }
  const tagged = async (image: string): Promise<string[]> => podTemplates(await rendered('overlays/dev')).filter(({ spec }) => containersOf(spec).some((c) => c.image === `${image}:${TAG}`)).map(({ owner }) => describe(owner))
  t.same(await tagged('service-a'), ['Deployment/service-a'])
  t.same(await tagged('load-generator'), ['Deployment/load-generator'], 'the load generator runs its own image, which the dev profile builds')
  t.same(await ourChecks({}, 'v1'), ['Deployment/service-a: container service-a: Skaffold rendered image service-a:v0-test, not service-a:v1'])
})

let written = 0
/** skaffold.yaml of the clone with each text replaced (each must be there), written beside it: its name, for -f. */
async function brokenConfig (edits: Array<[string, string]>): Promise<string> {
  const text = edits.reduce((text, [from, to]) => text.includes(from) ? text.replace(from, to) : assert.fail(`skaffold.yaml holds no ${from}`), await readFile(join(clone, 'skaffold.yaml'), 'utf8'))
  await writeFile(join(clone, `skaffold-broken-${++written}.yaml`), text)
  return `skaffold-broken-${written}.yaml`
}

/** [what is broken, text edits, profile, what fails]: Skaffold's own message where it rejects the file itself, else every message of our checks. */
const PF = 'skaffold.yaml: port forward '
const broken: Array<[string, Array<[string, string]>, string | undefined, RegExp | string[]]> = [
  ['a misspelled field', [['      context: service-a', '      contxt: service-a']], undefined, /field contxt not found in type latest\.Artifact/],
  ['a misspelled port forward field', [['    localPort: 9000', '    localport: 9000']], undefined, /field localport not found in type latest\.PortForwardResource/],
  ['an older apiVersion, whose schema has no manifests', [['skaffold/v4beta14', 'skaffold/v2beta29']], undefined, /field manifests not found in type v2beta29\.SkaffoldConfig/],
  ['an unknown apiVersion', [['apiVersion: skaffold/v4beta14', 'apiVersion: x']], undefined, /unknown skaffold config API version "x"/],
  ['a profile patch on a path that does not exist', [['/build/artifacts/0/docker/target', '/build/artifacts/3/docker/target']], 'dev', /invalid path: \/build\/artifacts\/3/],
  ['an unknown profile', [], 'prod', /profile selection \["prod"\] did not match/],
  ['a missing hook script', [['scripts/grafana-admin-secret.sh', 'scripts/grafana-secret.sh']], undefined, /scripts\/grafana-secret\.sh: No such file/],
  ['a kustomize path that does not exist', [['paths: [k8s]', 'paths: [k8s, overlays/prod]']], undefined, /overlays\/prod: no such file or directory/],
  ['port forwards to a missing port, Service or namespace, and to a pod', [
    ['    resourceName: service-a\n    namespace: metrics-stack\n    port: 80\n', '    resourceName: service-a\n    namespace: metrics-stack\n    port: 8080\n'],
    ['    resourceName: prometheus\n', '    resourceName: prom\n'], ['    resourceName: grafana\n    namespace: metrics-stack\n', '    resourceName: grafana\n'],
    ['  - resourceType: service\n    resourceName: alertmanager', '  - resourceType: pod\n    resourceName: alertmanager']], undefined, [
    `${PF}service/service-a:8080 in namespace metrics-stack is no port of Service service-a`, `${PF}service/prom:9090 in namespace metrics-stack is no Service of the stack (prom)`,
    `${PF}service/grafana:3000 in namespace undefined is no Service of the stack (grafana)`, `${PF}pod/alertmanager:9093 in namespace metrics-stack is no Service: only Services are checked`]],
  ['an artifact that no container runs', [['    - image: service-a\n', '    - image: service-b\n']], undefined, ['Deployment/service-a: container service-a: image service-a is built by no artifact', 'skaffold.yaml: artifact service-b is the image of no container']],
  ['a docker target that is no stage of the Dockerfile', [['        value: dev\n', '        value: debug\n']], 'dev', ['skaffold.yaml: artifact service-a: target debug is no stage of its Dockerfile']],
  ['push: false', [['build:\n  artifacts:', 'build:\n  local:\n    push: false\n  artifacts:']], undefined, ['skaffold.yaml build.local.push: false never pushes, so a remote cluster cannot pull service-a (Skaffold already skips pushes to local clusters)']]
]

for (const [what, edits, profile, expected] of broken) {
  t.test(`skaffold.yaml with ${what} ${expected instanceof RegExp ? 'is rejected by Skaffold itself' : 'passes Skaffold but fails our check'}`, async (t) => {
    const file = await brokenConfig(edits)
    if (expected instanceof RegExp) return await t.rejects(skaffoldRender({ file, profile, cwd: clone, tag: TAG }), expected)
    t.same(await ourChecks({ file, profile }), expected)
  })
}

t.test('a render hook without dir runs in the folder of a config that requires this one, and fails there', async (t) => {
  const requiring = (file: string): string => t.testdir({ 'skaffold.yaml': `apiVersion: skaffold/v4beta14\nkind: Config\nrequires:\n  - path: ${join(clone, file)}\n` })
  t.ok((await skaffoldRender({ tag: TAG, cwd: requiring('skaffold.yaml') })).length > 0, 'with dir: . it renders')
  const noDir = await brokenConfig([['          dir: .\n  kustomize:', '  kustomize:']])
  await t.rejects(skaffoldRender({ tag: TAG, cwd: requiring(noDir) }), /scripts\/grafana-admin-secret\.sh: No such file/)
})
