import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { checkKubernetesVersion, MIN_KUBERNETES_VERSION, olderThan } from '../../src/manifests/kubernetes-version.ts'
import { KUSTOMIZE_ROOTS, REPO_ROOT } from '../../src/manifests/render.ts'
import { broken, container, rendered } from './fixtures.ts'

t.test(`every root runs on Kubernetes ${MIN_KUBERNETES_VERSION}, the stated minimum`, async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) t.same(checkKubernetesVersion(await rendered(dir)), [], dir)
})

t.test("the README's real-cluster section and docs/kubernetes.md state the same minimum", async (t) => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8')
  const section = /^### Into a real cluster\n([\s\S]*?)(?=^#)/m.exec(readme)?.[1] ?? ''
  t.match(section, `Kubernetes ${MIN_KUBERNETES_VERSION}`)
  t.match(await readFile(join(REPO_ROOT, 'docs/kubernetes.md'), 'utf8'), `Kubernetes ${MIN_KUBERNETES_VERSION}`)
})

t.test("service-a's preStop sleep needs 1.30: below that minimum it fails", async (t) => {
  t.same(checkKubernetesVersion(await rendered('service-a'), '1.29'), [
    'Deployment/service-a: container service-a uses the sleep lifecycle action (PodLifecycleSleepAction), Kubernetes 1.30+, above the minimum 1.29'
  ])
})

t.test('a zero-second sleep, a sidecar or trafficDistribution above the minimum fail', async (t) => {
  const objects = broken(await rendered('service-a'), 'Deployment', 'service-a', (d) => {
    container(d).lifecycle.preStop.sleep.seconds = 0
    d.spec.template.spec.initContainers = [{ name: 'proxy', image: 'proxy:1', restartPolicy: 'Always' }]
  })
  objects.find((o) => o.kind === 'Service')!.spec.trafficDistribution = 'PreferClose'
  t.same(checkKubernetesVersion(objects, '1.28'), [
    'Deployment/service-a: container proxy uses restartPolicy: Always on an init container (sidecar, SidecarContainers), Kubernetes 1.29+, above the minimum 1.28',
    'Deployment/service-a: container service-a uses the sleep lifecycle action (PodLifecycleSleepAction), Kubernetes 1.30+, above the minimum 1.28',
    'Deployment/service-a: container service-a uses a sleep of 0 seconds (PodLifecycleSleepActionAllowZero), Kubernetes 1.33+, above the minimum 1.28',
    'Service/service-a: spec.trafficDistribution needs Kubernetes 1.31+, above the minimum 1.28'
  ])
  t.same(checkKubernetesVersion(objects, '1.33'), [])
})

t.test('versions compare by minor number, not as text', async (t) => {
  t.ok(olderThan('1.9', '1.30'))
  t.notOk(olderThan('v1.30.2', '1.30'))
  t.ok(olderThan('1.30', '2.0'))
  t.throws(() => olderThan('latest', '1.30'), /not a Kubernetes version/)
})
