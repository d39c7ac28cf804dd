import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { checkNamespaceHook } from '../../src/manifests/dev-loop.ts'
import { containersOf, describe, ofKind, podTemplates } from '../../src/manifests/objects.ts'
import { render, REPO_ROOT, skaffold, skaffoldConfig, skaffoldRender } from '../../src/manifests/render.ts'
import { checkSkaffold, type SkaffoldConfig } from '../../src/manifests/skaffold.ts'
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

t.test('skaffold render on a fresh clone runs the hook, tags every service-a container and changes no other image', async (t) => {
  t.notOk(existsSync(join(clone, 'grafana/grafana-admin.secret.env')), 'the clone has no Grafana admin env file')
  for (const [root, profile] of Object.entries(SKAFFOLD_ROOTS)) {
    const objects = await rendered(root)
    const secret = ofKind(objects, 'Secret').find((s) => s.metadata?.name?.startsWith('grafana-admin-'))
    t.match(Buffer.from(secret?.data?.['admin-password'] ?? '', 'base64').toString(), /^[A-Za-z0-9]{20,}$/, `${root}: the hook made the admin password`)
    const config = await skaffoldConfig<SkaffoldConfig>({ profile, cwd: clone })
    t.same(await checkSkaffold(config, objects, await render(root), TAG), [], root)
  }
  const tagged = podTemplates(await rendered('overlays/dev')).filter(({ spec }) => containersOf(spec).some((c) => c.image === `service-a:${TAG}`))
  t.same(tagged.map(({ owner }) => describe(owner)), ['Deployment/load-generator', 'Deployment/service-a'], 'the load generator runs the built image too')
  t.same(await checkSkaffold(await skaffoldConfig<SkaffoldConfig>({ cwd: clone }), await rendered('k8s'), await render('k8s'), 'v1'), [
    'Deployment/service-a: container service-a: Skaffold rendered image service-a:v0-test, not service-a:v1'])
})

t.test("the dev profile's before-deploy hook applies the Namespace that overlays/dev leaves out, in Skaffold's kube context", async (t) => {
  t.same(await checkNamespaceHook(await skaffoldConfig<SkaffoldConfig>({ profile: 'dev', cwd: clone }), 'metrics-stack', t.testdir()), [])
})

let broken = 0
/** skaffold.yaml of the clone with each text replaced (each must be there), written beside it: its name, for -f. */
async function brokenConfig (edits: Array<[string, string]>): Promise<string> {
  let text = await readFile(join(clone, 'skaffold.yaml'), 'utf8')
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`skaffold.yaml holds no ${from}`)
    text = text.replace(from, to)
  }
  await writeFile(join(clone, `skaffold-broken-${++broken}.yaml`), text)
  return `skaffold-broken-${broken}.yaml`
}

/** [what is broken, edits, command, profile, Skaffold's own message]. */
const rejected: Array<[string, Array<[string, string]>, 'diagnose' | 'render', string | undefined, RegExp]> = [
  ['a misspelled field', [['      context: service-a', '      contxt: service-a']], 'diagnose', undefined, /field contxt not found in type latest\.Artifact/],
  ['a misspelled port forward field', [['    localPort: 9000', '    localport: 9000']], 'diagnose', undefined, /field localport not found in type latest\.PortForwardResource/],
  ['an older apiVersion, whose schema has no manifests', [['skaffold/v4beta14', 'skaffold/v2beta29']], 'diagnose', undefined, /field manifests not found in type v2beta29\.SkaffoldConfig/],
  ['an unknown apiVersion', [['apiVersion: skaffold/v4beta14', 'apiVersion: x']], 'diagnose', undefined, /unknown skaffold config API version "x"/],
  ['a profile patch on a path that does not exist', [['/build/artifacts/0/docker/target', '/build/artifacts/3/docker/target']], 'diagnose', 'dev', /invalid path: \/build\/artifacts\/3/],
  ['an unknown profile', [], 'diagnose', 'prod', /profile selection \["prod"\] did not match/],
  ['a missing hook script', [['scripts/grafana-admin-secret.sh', 'scripts/grafana-secret.sh']], 'render', undefined, /scripts\/grafana-secret\.sh: No such file/],
  ['a kustomize path that does not exist', [['paths: [k8s]', 'paths: [k8s, overlays/prod]']], 'render', undefined, /overlays\/prod: no such file or directory/]
]

for (const [what, edits, command, profile, message] of rejected) {
  t.test(`skaffold ${command} itself rejects skaffold.yaml with ${what}`, async (t) => {
    const options = { file: await brokenConfig(edits), profile, cwd: clone }
    await t.rejects((command === 'diagnose' ? skaffoldConfig(options) : skaffoldRender({ ...options, tag: TAG })) as Promise<unknown>, message)
  })
}

t.test('a render hook without dir runs in the folder of a config that requires this one, and fails there', async (t) => {
  const requiring = (file: string): string => t.testdir({ 'skaffold.yaml': `apiVersion: skaffold/v4beta14\nkind: Config\nrequires:\n  - path: ${join(clone, file)}\n` })
  t.ok((await skaffoldRender({ tag: TAG, cwd: requiring('skaffold.yaml') })).length > 0, 'with dir: . it renders')
  const noDir = await brokenConfig([['          dir: .\n  kustomize:', '  kustomize:']])
  await t.rejects(skaffoldRender({ tag: TAG, cwd: requiring(noDir) }), /scripts\/grafana-admin-secret\.sh: No such file/)
})

/** [what is broken, edits, profile, every message of our checks]: Skaffold renders each without a word. */
const accepted: Array<[string, Array<[string, string]>, string | undefined, string[]]> = [
  ['port forwards to a missing port, Service or namespace, and to a pod', [
    ['    resourceName: service-a\n    namespace: metrics-stack\n    port: 80\n', '    resourceName: service-a\n    namespace: metrics-stack\n    port: 8080\n'],
    ['    resourceName: prometheus\n', '    resourceName: prom\n'], ['    resourceName: grafana\n    namespace: metrics-stack\n', '    resourceName: grafana\n'],
    ['  - resourceType: service\n    resourceName: alertmanager', '  - resourceType: pod\n    resourceName: alertmanager']], undefined, [
    'skaffold.yaml: port forward service/service-a:8080 in namespace metrics-stack is no port of Service service-a',
    'skaffold.yaml: port forward service/prom:9090 in namespace metrics-stack is no Service of the stack (prom)',
    'skaffold.yaml: port forward service/grafana:3000 in namespace undefined is no Service of the stack (grafana)',
    'skaffold.yaml: port forward pod/alertmanager:9093 in namespace metrics-stack is no Service: only Services are checked']],
  ['an artifact that no container runs', [['    - image: service-a\n', '    - image: service-b\n']], undefined, [
    'Deployment/service-a: container service-a: image service-a is built by no artifact', 'skaffold.yaml: artifact service-b is the image of no container']],
  ['a docker target that is no stage of the Dockerfile', [['        value: dev\n', '        value: debug\n']], 'dev', ['skaffold.yaml: artifact service-a: target debug is no stage of its Dockerfile']],
  ['push: false', [['build:\n  artifacts:', 'build:\n  local:\n    push: false\n  artifacts:']], undefined, [
    'skaffold.yaml build.local.push: false never pushes, so a remote cluster cannot pull service-a (Skaffold already skips pushes to local clusters)']]
]

for (const [what, edits, profile, messages] of accepted) {
  t.test(`skaffold.yaml with ${what} passes Skaffold but fails our check`, async (t) => {
    const options = { file: await brokenConfig(edits), profile, cwd: clone }
    const root = Object.keys(SKAFFOLD_ROOTS).find((r) => SKAFFOLD_ROOTS[r] === profile)!
    t.same(await checkSkaffold(await skaffoldConfig(options), await skaffoldRender({ ...options, tag: TAG }), await render(root), TAG), messages)
  })
}

/** [what is broken in the dev profile's namespace hook, edits, the message]. */
const hooks: Array<[string, Array<[string, string]>, string]> = [
  ['a file that holds no Namespace', [['apply -f k8s/namespace.yaml', 'apply -f k8s/kustomization.yaml']], 'no before-deploy hook applies Namespace metrics-stack, which overlays/dev leaves out'],
  ['no dir: the caller\'s folder', [['                dir: .\n', '']], 'before-deploy hook sh -c kubectl --context "$SKAFFOLD_KUBE_CONTEXT" apply -f k8s/namespace.yaml fails: cat: k8s/namespace.yaml: No such file or directory'],
  ['no --context', [['kubectl --context \\"$SKAFFOLD_KUBE_CONTEXT\\" apply', 'kubectl apply']], "before-deploy hook sh -c kubectl apply -f k8s/namespace.yaml fails: kubectl apply -f k8s/namespace.yaml: not in Skaffold's kube context"]
]

for (const [what, edits, message] of hooks) {
  t.test(`the dev profile's namespace hook with ${what} fails`, async (t) => {
    const config = await skaffoldConfig<SkaffoldConfig>({ file: await brokenConfig(edits), profile: 'dev', cwd: clone })
    t.same(await checkNamespaceHook(config, 'metrics-stack', t.testdir()), [`skaffold.yaml (dev profile): ${message}`])
  })
}
