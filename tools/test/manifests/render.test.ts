import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { checkContainers, imageProblem } from '../../src/manifests/containers.ts'
import { checkCrossRefs } from '../../src/manifests/cross-refs.ts'
import { containersOf, describe, ofKind, podTemplates, type K8sObject } from '../../src/manifests/objects.ts'
import { parseObjects, render } from '../../src/manifests/render.ts'
import { PATHS, REPO_ROOT, tool } from '../../src/support/paths.ts'
import { freshCopy, KUSTOMIZE_ROOTS, rendered } from './fixtures.ts'

t.test('every kustomize root renders offline; the stack in one namespace, generated names hashed; no kustomization or broken YAML fails', async (t) => {
  for (const root of KUSTOMIZE_ROOTS) t.ok((await rendered(root)).length > 0, `${root} renders objects`)
  const stack = await rendered('k8s')
  t.same(new Set(stack.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata?.namespace)), new Set(['metrics-stack']))
  for (const o of [...ofKind(stack, 'ConfigMap'), ...ofKind(stack, 'Secret')]) t.match(o.metadata?.name, /-[a-z0-9]{10}$/)
  await t.rejects(render('tools'), /kustomization/i)
  t.throws(() => parseObjects('a: [1\n'), /flow sequence/i)
})

/** What stops `kubectl apply -k root` in a fresh clone at `clone` (no git-ignored file, images as written): a render error, or an unpinned image. */
async function checkFreshApply (clone: string, root: string): Promise<string[]> {
  const result = await execa(tool('kubectl'), ['kustomize', root], { cwd: clone, reject: false })
  if (result.failed) return [`kubectl apply -k ${root} fails on a fresh clone: ${result.stderr.trim().split('\n').at(-1) ?? ''}`]
  return podTemplates(parseObjects(result.stdout)).flatMap(({ owner, spec }) => containersOf(spec).flatMap((c) => {
    const problem = imageProblem(c.image)
    return problem === undefined ? [] : [`kubectl apply -k ${root}: ${describe(owner)}: ${problem}`]
  }))
}

t.test('every `kubectl apply -k ROOT` the repository advertises works on a fresh clone; k8s, grafana and service-a do not', async (t) => {
  const clone = t.testdir()
  await freshCopy(clone)
  const advertised: Array<{ file: string, root: string }> = []
  for (const file of (await execa('git', ['ls-files', '*.md', '*kustomization.yaml'], { cwd: REPO_ROOT })).stdout.split('\n').filter((f) => !f.includes('node_modules/'))) {
    // Lower case: `ROOT` is a placeholder.
    for (const [, root] of (await readFile(join(REPO_ROOT, file), 'utf8')).matchAll(/kubectl apply -k ([a-z0-9.][a-z0-9._/-]*)/g)) advertised.push({ file, root: root!.replace(/\/$/, '') })
  }
  t.ok(advertised.some(({ file, root }) => file === 'prometheus/kustomization.yaml' && root === 'prometheus'), 'found in a comment, backquote stripped')
  for (const { file, root } of advertised) t.same(await checkFreshApply(clone, root), [], `${file}: kubectl apply -k ${root}`)
  // Without the git-ignored Grafana admin env file, and with service-a's bare image name (pulled as docker.io/library/service-a:latest).
  for (const root of ['k8s', 'grafana']) t.match(await checkFreshApply(clone, root), [new RegExp(`^kubectl apply -k ${root} fails on a fresh clone: .*grafana-admin\\.secret\\.env`)])
  t.same(await checkFreshApply(clone, 'service-a'), ['kubectl apply -k service-a: Deployment/service-a: image service-a has no tag'])
})

/**
 * configMapGenerator lists files one by one, so a file added to a config folder but not to the
 * kustomization would be missing in the cluster while the local run loads it.
 */
async function checkGeneratedFiles (objects: readonly K8sObject[], dir: string, extension: string, configMap: string): Promise<string[]> {
  const generated = ofKind(objects, 'ConfigMap').filter((o) => new RegExp(`^${configMap}-[a-z0-9]{10}$`).test(o.metadata?.name ?? ''))
  if (generated.length !== 1) return [`expected one generated ConfigMap ${configMap}, found ${generated.length}`]
  return (await readdir(dir)).filter((file) => file.endsWith(extension) && generated[0]!.data?.[file] === undefined)
    .map((file) => `${join(dir, file)} is not in ConfigMap ${configMap} (add it to the configMapGenerator)`)
}

t.test('every rule, scrape config, datasource and dashboard file is in its generated ConfigMap; a missing one fails', async (t) => {
  for (const [dir, extension, configMap] of [['prometheus/rules', '.yml', 'prometheus-rules'], ['prometheus/scrape-configs', '.yml', 'prometheus-scrape-configs'],
    ['grafana/provisioning/datasources', '.yaml', 'grafana-datasources'], ['grafana/dashboards', '.json', 'grafana-dashboards']] as const) {
    t.same(await checkGeneratedFiles(await rendered('k8s'), join(REPO_ROOT, dir), extension, configMap), [], dir)
  }
  const dir = t.testdir({ 'service-a-alerts.yml': '', 'service-a-recording.yml': '', 'new.yml': '', 'README.md': '' })
  t.same(await checkGeneratedFiles(await rendered('k8s'), dir, '.yml', 'prometheus-rules'), [`${join(dir, 'new.yml')} is not in ConfigMap prometheus-rules (add it to the configMapGenerator)`])
  t.same(await checkGeneratedFiles(await rendered('service-a'), dir, '.yml', 'prometheus-rules'), ['expected one generated ConfigMap prometheus-rules, found 0'])
})

t.test('the Grafana admin Secret comes from the git-ignored file, whose script keeps a password once made, one per file, owner-only', async (t) => {
  const password = Buffer.from(ofKind(await rendered('grafana'), 'Secret')[0]!.data!['admin-password']!, 'base64').toString()
  t.match(await readFile(PATHS.grafanaAdminSecret, 'utf8'), `admin-password=${password}\n`)
  const secret = async (file: string): Promise<string> => { await execa('bash', [`${REPO_ROOT}scripts/grafana-admin-secret.sh`, file]); return await readFile(file, 'utf8') }
  const [file, other] = [join(t.testdir(), 'a.env'), join(t.testdir(), 'b.env')]
  const first = await secret(file)
  t.match(first, /^admin-user=admin\nadmin-password=[A-Za-z0-9]{20,}\n$/)
  t.equal((await stat(file)).mode & 0o777, 0o600)
  t.equal(await secret(file), first, 'kept: Grafana stores the first password in its database')
  t.not(await secret(other), first)
})

t.test('make manifests writes one file for a real cluster: pushed image, every check passes without exceptions', async (t) => {
  const renderManifests = async (root: string, image: string, out: string): Promise<unknown> => await execa('bash', ['scripts/render-manifests.sh', root, image, out], { cwd: REPO_ROOT })
  for (const image of ['registry.example.com:5000/team/service-a:1.2.3', 'service-a@sha256:0123']) {
    const out = join(t.testdir(), 'stack.yaml')
    await renderManifests('overlays/multi-replica', image, out)
    const objects = parseObjects(await readFile(out, 'utf8'))
    t.same([...checkContainers(objects), ...checkCrossRefs(objects)], [], image)
    t.equal(ofKind(objects, 'Deployment').find((d) => d.metadata?.name === 'service-a')?.spec?.template.spec?.containers[0]?.image, image)
  }
  await t.rejects(renderManifests('k8s', 'registry:5000/service-a', join(t.testdir(), 'x.yaml')), /must carry a tag or a digest/)
})
