import t from 'tap'
import { checkContainers, imageProblem } from '../../src/manifests/containers.ts'
import { KUSTOMIZE_ROOTS } from '../../src/manifests/render.ts'
import { broken, container, rendered } from './fixtures.ts'

const built = { builtImages: ['service-a'] }

t.test('every container has probes, requests, limits and a pinned image', async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) t.same(checkContainers(await rendered(dir), built), [], dir)
})

t.test('the pinned images are the intended versions', async (t) => {
  const images = (await rendered('k8s')).filter((o) => o.kind === 'Deployment').map((d) => container(d).image).sort()
  t.same(images, ['docker.io/grafana/grafana:13.1.3', 'quay.io/prometheus/prometheus:v3.13.2', 'service-a'])
})

t.test('a missing probe or resource fails', async (t) => {
  const objects = broken(await rendered('grafana'), 'Deployment', 'grafana', (d) => {
    delete container(d).readinessProbe
    delete container(d).resources.limits.memory
    delete container(d).resources.requests
  })
  t.same(checkContainers(objects), [
    'Deployment/grafana: container grafana: readinessProbe is missing',
    'Deployment/grafana: container grafana: resources.requests.cpu is missing',
    'Deployment/grafana: container grafana: resources.requests.memory is missing',
    'Deployment/grafana: container grafana: resources.limits.memory is missing'
  ])
})

t.test('a bare image passes only when a build tool tags it', async (t) => {
  const objects = await rendered('service-a')
  t.same(checkContainers(objects), ['Deployment/service-a: container service-a: image service-a has no tag'])
  t.same(checkContainers(objects, built), [])
})

t.test('imageProblem: latest and untagged fail; tags and digests pass', async (t) => {
  t.equal(imageProblem('grafana/grafana:latest', []), 'image grafana/grafana:latest must not use the latest tag')
  t.equal(imageProblem('registry:5000/grafana', []), 'image registry:5000/grafana has no tag')
  t.equal(imageProblem('registry:5000/grafana:13.1.3', []), undefined)
  t.equal(imageProblem('grafana/grafana@sha256:0123', []), undefined)
})

t.test('a pod spec without containers has nothing to check', async (t) => {
  t.same(checkContainers([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }]), [])
})
