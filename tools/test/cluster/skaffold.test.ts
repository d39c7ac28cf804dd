import t from 'tap'
import { testCluster } from '../../src/cluster/control-plane.ts'
import { skaffold } from '../../src/manifests/render.ts'
import { freshClone } from '../manifests/fixtures.ts'

// Skaffold against a cluster whose Deployments really roll out: kube-controller-manager makes
// their Pods, kube-scheduler places them on KWOK's node, and KWOK marks them Running and Ready,
// so that Skaffold's status check (rollout status of every Deployment) has something to wait for.
const cluster = await testCluster({ nodes: true })
t.teardown(cluster.stop)
const clone = await freshClone()
const env = { ...process.env, KUBECONFIG: cluster.kubeconfig }
// What `make images` built with `skaffold build` through podman: the hardened image, and the dev
// profile's build (service-a's dev stage and the load generator).
const IMAGES = {
  run: [`service-a=${process.env.SERVICE_A_IMAGE ?? 'docker.io/library/service-a:latest'}`],
  dev: [`service-a=${process.env.SERVICE_A_DEV_IMAGE ?? 'docker.io/library/service-a:dev'}`, 'load-generator=docker.io/library/load-generator:dev']
}

const deploy = async (profile?: 'dev'): Promise<string> => await skaffold(['deploy', '--images', IMAGES[profile ?? 'run'].join(','), '--status-check=true',
  ...profile === undefined ? [] : ['-p', profile]], { cwd: clone, env })
const deployments = async (): Promise<string[]> => (await cluster.kubectl(['get', 'deployments', '-n', 'metrics-stack', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.readyReplicas}/{.spec.replicas} {end}'])).stdout.trim().split(' ').filter(Boolean).sort()

t.test('the dev loop: skaffold deploy -p dev rolls every Deployment out, skaffold delete removes them, and a deploy right after rolls out again', async (t) => {
  await deploy('dev')
  const ready = await deployments()
  t.ok(ready.length >= 5, `every Deployment ready: ${ready.join(' ')}`)
  t.ok(ready.every((d) => /=(\d+)\/\1$/.test(d)), ready.join(' '))
  const image = (await cluster.kubectl(['get', 'deployment', 'service-a', '-n', 'metrics-stack', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).stdout
  t.equal(`service-a=${image}`, IMAGES.dev[0], 'the image skaffold build made')

  await skaffold(['delete', '-p', 'dev'], { cwd: clone, env })
  t.same(await deployments(), [], 'gone')
  t.equal((await cluster.kubectl(['get', 'namespace', 'metrics-stack', '-o', 'jsonpath={.status.phase}'])).stdout, 'Active', 'the namespace stays, so the next start need not wait for it')
  await deploy('dev')
  t.same(await deployments(), ready, 'the same Deployments ready again')
  await skaffold(['delete', '-p', 'dev'], { cwd: clone, env })
})

t.test('skaffold deploy of k8s/ (what skaffold run deploys) rolls out with its claims bound; skaffold delete removes the namespace', async (t) => {
  // The claims ask for the cluster's default StorageClass; this one has none, so volumes are made by hand as an administrator would.
  for (const name of ['a', 'b', 'c']) {
    const volume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `test-volume-${name}` }, spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/test-volume-${name}` } } }
    t.ok((await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(volume))).ok)
  }
  await deploy()
  const ready = await deployments()
  t.ok(ready.every((d) => /=(\d+)\/\1$/.test(d)) && ready.length >= 5, ready.join(' '))
  t.equal((await cluster.kubectl(['get', 'pvc', '-n', 'metrics-stack', '-o', 'jsonpath={.items[*].status.phase}'])).stdout, 'Bound Bound Bound')
  await skaffold(['delete'], { cwd: clone, env })
  t.ok((await cluster.kubectl(['wait', '--for=delete', 'namespace/metrics-stack', '--timeout=120s'])).ok, 'the namespace is deleted with everything in it')
})
